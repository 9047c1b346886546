import { Agent, createServer, request as forward } from 'node:http';
import { type Listening, listen } from '../../local/listen.js';

export interface CountingEndpoint {
  url: string;
  /** Requests received so far by operation (`PutItem`, `Sign`), whatever their answer: a refused conditional write counts too. */
  calls(): Map<string, number>;
  close(): Promise<void>;
}

/**
 * An HTTP endpoint in front of a local emulator speaking an AWS JSON protocol (dynalite, the
 * local KMS), counting each request by the operation its `x-amz-target` names and passing it on
 * unchanged. The SDK sends each attempt, retries included, as one request: what is counted here
 * is what AWS would bill and throttle.
 */
export async function startCountingEndpoint(upstreamUrl: string): Promise<CountingEndpoint> {
  const upstream = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true });
  const calls = new Map<string, number>();
  const server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? 'unknown').split('.').at(-1)!;
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const upstreamRequest = forward(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers, agent },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(response);
      },
    );
    upstreamRequest.on('error', () => response.destroy());
    request.pipe(upstreamRequest);
  });
  const listening: Listening = await listen(server, 0);
  return {
    url: listening.url,
    calls: () => new Map(calls),
    close: async () => {
      await listening.close();
      agent.destroy();
    },
  };
}
