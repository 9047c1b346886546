// The event builder and Lambda context tests use are the local stack's, shared with the benches.
export { lambdaContext, syntheticHttpApiEvent as httpApiEvent } from '../../local/api-gateway-event.js';
