import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

// The same synthetic event the tests build, from the local stack's event adapter.
export { syntheticHttpApiEvent as httpApiEvent } from '../../local/api-gateway-event.js';

/** A Lambda context that never runs out of time: a long bench must not reach a request deadline. */
export function benchContext(functionId: string): Context {
  return { awsRequestId: `bench-${functionId}`, functionName: `bench-${functionId}`, getRemainingTimeInMillis: () => 30_000 } as Context;
}

/** How a handler built by its factory is called here: an event in, a structured result out. */
export type BenchHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<{ statusCode?: number; body?: string }>;
