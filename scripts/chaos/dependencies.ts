import { startDynamoDb } from '../../local/dynamodb-server.js';
import { startKmsServer } from '../../local/kms/kms-server.js';
import { LOCAL_REGION } from '../../local/local-stack.js';
import { type FaultProxy, startFaultProxy } from '../../local/fault-proxy.js';

/**
 * DynamoDB (dynalite) and KMS in this process, each behind a fault proxy. They outlive the stack
 * child, as AWS's services outlive a Lambda container: what they hold after a SIGKILL is what
 * the next container finds. The stack is pointed at the proxies; the audit reads the real ones.
 */
export interface Dependencies {
  dynamodbUrl: string;
  dynamodbProxy: FaultProxy;
  kmsProxy: FaultProxy;
  /** Signatures KMS made, whether or not the answer got through the proxy. */
  kmsSigns(): number;
  close(): Promise<void>;
}

export async function startDependencies(dataDir: string): Promise<Dependencies> {
  const dynamo = await startDynamoDb({ dataDir, port: 0 });
  const kms = await startKmsServer({ dataDir, port: 0, region: LOCAL_REGION }).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });
  const dynamodbProxy = await startFaultProxy(dynamo.url);
  const kmsProxy = await startFaultProxy(kms.url);
  return {
    dynamodbUrl: dynamo.url,
    dynamodbProxy,
    kmsProxy,
    kmsSigns: () => kms.callCount('Sign'),
    close: async () => {
      await Promise.all([dynamodbProxy.close(), kmsProxy.close()]);
      await Promise.all([dynamo.close(), kms.close()]);
    },
  };
}
