// The local stack with a fault proxy between its handlers and each emulator, and short deadlines:
// every dependency fault of the faults issue becomes a test that answers in a second or two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDb } from '../../local/dynamodb-server.js';
import { startKmsServer } from '../../local/kms/kms-server.js';
import { LOCAL_REGION, type RunningLocalStack, startLocalStack } from '../../local/local-stack.js';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.js';
import type { SigningMode } from '../../shared/domain/delegation/delegation.js';
import { recordContractViolations } from '../support/openapi-contract.js';

/** The function timeout of these tests: what API Gateway would wait for is far longer. */
export const FUNCTION_TIMEOUT_MS = 2_000;

export interface FaultStack extends RunningLocalStack {
  dynamodbProxy: FaultProxy;
  kmsProxy: FaultProxy;
  /** Calls the embedded KMS answered, behind its proxy. */
  kmsServed(operation: string): number;
}

/**
 * `deployPublicKeys: false` starts the functions without the keys' public halves in their
 * configuration, so they fetch them from KMS through the proxy (see LocalStackOptions).
 */
export async function startFaultStack(options: { deployPublicKeys?: boolean; signingMode?: SigningMode } = {}): Promise<FaultStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-faults-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // Short attempts, two of them: the deadline (FUNCTION_TIMEOUT_MS less the answer reserve) bounds them all.
  Object.assign(process.env, { AWS_CONNECTION_TIMEOUT_MS: '200', AWS_REQUEST_TIMEOUT_MS: '400', AWS_MAX_ATTEMPTS: '2' });
  const dynamo = await startDynamoDb({ dataDir, port: 0 });
  const kms = await startKmsServer({ dataDir, port: 0, region: LOCAL_REGION });
  const dynamodbProxy = await startFaultProxy(dynamo.url);
  const kmsProxy = await startFaultProxy(kms.url);
  const stack = await startLocalStack({
    dataDir,
    port: 0,
    endpoints: { dynamodb: dynamodbProxy.url, kms: kmsProxy.url },
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    deployPublicKeys: options.deployPublicKeys,
    signingMode: options.signingMode,
    // Answers under faults keep the contract too (test/support/contract-check.ts).
    onAnswer: recordContractViolations,
  });
  return {
    ...stack,
    dynamodbProxy,
    kmsProxy,
    kmsServed: (operation) => kms.callCount(operation),
    stop: async () => {
      await stack.stop();
      await Promise.all([dynamodbProxy.close(), kmsProxy.close()]);
      await Promise.all([dynamo.close(), kms.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A request and how long it took to be answered. */
export async function timed<T>(request: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await request();
  return { result, ms: performance.now() - started };
}
