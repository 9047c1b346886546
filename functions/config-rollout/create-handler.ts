import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../../shared/adapters/aws/client-options.js';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch-alarm-source.js';
import { DynamoDbConfigStore } from '../../shared/adapters/dynamodb-config-store.js';
import { DynamoDbRolloutStore } from '../../shared/adapters/dynamodb-rollout-store.js';
import { advanceRollouts, type RolloutAdvance } from '../../shared/use-cases/advance-rollouts.js';
import type { ConfigRolloutEnv } from './env.js';

/** The AWS clients the driver uses; tests hand in their own, pointed at an emulator. */
export interface ConfigRolloutClients {
  dynamodb?: DynamoDBClient;
  cloudwatch?: CloudWatchClient;
  now?: () => Date;
}

export interface ConfigRolloutSummary {
  advanced: number;
  advances: RolloutAdvance[];
}

/**
 * The rollout driver: EventBridge invokes it every minute (the event carries nothing it needs);
 * one pass of advanceRollouts, logged, and a summary returned. A failure throws: the next
 * scheduled run starts over from what the table says, so nothing is lost.
 */
export function createConfigRolloutHandler(env: ConfigRolloutEnv, clients: ConfigRolloutClients = {}) {
  const logger = new Logger({ serviceName: 'config-rollout' });
  const dynamodb = clients.dynamodb ?? new DynamoDBClient(awsClientOptions(env));
  const documentClient = DynamoDBDocumentClient.from(dynamodb);
  const now = clients.now ?? (() => new Date());
  const configStore = new DynamoDbConfigStore(documentClient, env.CONFIG_TABLE_NAME, now);
  const deps = {
    store: new DynamoDbRolloutStore(documentClient, env.CONFIG_TABLE_NAME, configStore),
    alarms: new CloudWatchAlarmSource(clients.cloudwatch ?? new CloudWatchClient(awsClientOptions(env)), env.ROLLOUT_ALARM_NAMES),
    now,
    minBakeMs: env.ROLLOUT_MIN_BAKE_SECONDS * 1_000,
  };
  return async (_event?: unknown): Promise<ConfigRolloutSummary> => {
    const advances = await advanceRollouts(deps);
    for (const advance of advances) {
      if (advance.step === 'roll-back') logger.error('A staged rollout was rolled back', { ...advance });
      else logger.info('A staged rollout advanced', { ...advance });
    }
    return { advanced: advances.length, advances };
  };
}
