import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDbMerchantRegistry } from '../shared/adapters/dynamodb-merchant-registry.js';
import { callerIdOf } from '../shared/domain/merchants/caller-identity.js';
import type { Merchant } from '../shared/domain/merchants/merchant.js';
import { LOCAL_JWT_ISSUER, type LocalJwtIssuer } from './jwt-issuer.js';

/** m_123 is the merchant of the README's examples, m_demo the demo checkout's. */
export const SEED_MERCHANT_IDS = ['m_123', 'm_demo'] as const;
export const DEV_TOKENS_FILE = 'dev-tokens.json';
export const DEV_TOKEN_LIFETIME_SECONDS = 90 * 24 * 60 * 60;

/** A seed merchant's one caller is the local issuer's subject named like the merchant, so its dev token is easy to tell apart. */
export function seedMerchant(merchantId: string): Merchant {
  return { merchantId, mode: 'test', status: 'active', callers: [localCallerId(merchantId)] };
}

export function localCallerId(subject: string): string {
  return callerIdOf({ kind: 'jwt', issuer: LOCAL_JWT_ISSUER, subject })!;
}

/**
 * Registers the seed merchants unless they are there. An existing one is left as the operator
 * made it (a suspended m_123 stays suspended), so this is safe on every start.
 */
export async function ensureSeedMerchants(registry: DynamoDbMerchantRegistry): Promise<void> {
  for (const merchantId of SEED_MERCHANT_IDS) {
    try {
      await registry.ensure(seedMerchant(merchantId));
    } catch (error) {
      throw new Error(`Cannot seed merchant ${merchantId}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * A fresh bearer token per seed merchant, written to `<dataDir>/dev-tokens.json` for curl, the
 * demo and the tests. Reissued on every start, so they never run out while the stack is used.
 */
export async function issueDevTokens(issuer: LocalJwtIssuer, dataDir: string): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const merchantId of SEED_MERCHANT_IDS) {
    tokens[merchantId] = await issuer.issue(merchantId, { expiresInSeconds: DEV_TOKEN_LIFETIME_SECONDS });
  }
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, DEV_TOKENS_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
  return tokens;
}
