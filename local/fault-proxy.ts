import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What a dependency does to the function's connections:
 * - `pass`: forwards both ways, as if nothing were in between;
 * - `refuse`: nothing listens, connections are refused (ECONNREFUSED);
 * - `reset`: connections are accepted, then reset as soon as a request arrives (ECONNRESET);
 * - `hang`: connections are accepted and requests read, and nothing ever comes back;
 * - `slow`: forwards, each request delayed by `delayMs`.
 */
export type Fault = 'pass' | 'refuse' | 'reset' | 'hang' | 'slow';

export interface FaultProxy {
  url: string;
  fault: Fault;
  set(fault: Fault, options?: { delayMs?: number }): Promise<void>;
  /** Connections accepted since start: a test proves "no call" with it. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real emulator (dynalite, the KMS endpoint, moto_server), between it
 * and the real handlers, that fails on demand: the fault tests (test/faults) and the reliability
 * run (npm run chaos) put it behind `npm start`'s AWS_ENDPOINT_URL_* to break a dependency. The fault applies to open (keep-alive) connections
 * too, at their next request, as a dependency failing mid-flight would.
 */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  let fault: Fault = 'pass';
  let delayMs = 0;
  let accepted = 0;
  const sockets = new Set<Socket>();

  const onConnection = (client: Socket) => {
    accepted += 1;
    sockets.add(client);
    const server = connect(Number(upstream.port), upstream.hostname);
    sockets.add(server);
    const closeBoth = () => {
      client.destroy();
      server.destroy();
      sockets.delete(client);
      sockets.delete(server);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    server.on('error', closeBoth).on('close', closeBoth);
    server.on('data', (chunk) => {
      if (fault === 'pass' || fault === 'slow') client.write(chunk);
    });
    client.on('data', (chunk) => {
      switch (fault) {
        case 'pass':
          server.write(chunk);
          return;
        case 'slow':
          setTimeout(() => server.write(chunk), delayMs).unref();
          return;
        case 'hang':
          return;
        case 'reset':
        case 'refuse':
          client.resetAndDestroy();
          server.destroy();
      }
    });
  };

  let listener: Server = createServer(onConnection);
  const port = await listen(listener, 0);

  return {
    url: `http://127.0.0.1:${port}`,
    get fault() {
      return fault;
    },
    async set(next, options = {}) {
      delayMs = options.delayMs ?? 0;
      if (next === 'refuse' && fault !== 'refuse') {
        // Nothing may listen: close the port (and every open connection) until another fault is set.
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => listener.close(() => resolve()));
      } else if (next !== 'refuse' && fault === 'refuse') {
        listener = createServer(onConnection);
        await listen(listener, port);
      }
      fault = next;
    },
    connections: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      if (fault !== 'refuse') await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
