import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStackOptions, type RunningLocalStack, startLocalStack } from '../../local/local-stack.js';
import { recordContractViolations } from './openapi-contract.js';

/** The running stack (its devTokens, issueToken and merchants included) and its data directory. */
export type TestStack = RunningLocalStack & { dataDir: string };

/** The local stack in this test process, on free ports and a fresh data directory; every answer is checked against openapi.json. */
export async function startTestStack(options: Pick<LocalStackOptions, 'signingMode'> = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signed-pay-test-'));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const stack = await startLocalStack({ dataDir, port: 0, dynamodbPort: 0, kmsPort: 0, onAnswer: recordContractViolations, ...options });
  return {
    ...stack,
    dataDir,
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const SETTLEMENT_EXAMPLE = {
  merchantId: 'm_123',
  orderId: 'o_456',
  amount: { value: 1999, currency: 'USD' },
  paymentMethod: { type: 'card', token: 'tok_success' },
};

/** The header a caller sends its bearer token in: `postSettlement(url, body, key, bearer(stack.devTokens.m_123))`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export async function postSettlement(
  baseUrl: string,
  body: unknown,
  idempotencyKey: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const response = await fetch(`${baseUrl}/v1/settlements`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
