import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Starts a local server on a port (0: any free one) and gives the URL clients on this machine use. */
export async function listen(server: Server, port: number | undefined, host = '127.0.0.1'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${clientHost}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        // SDK clients keep connections alive; without this, close() waits for them to idle out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
