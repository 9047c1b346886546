import { describe, expect, it } from 'vitest';
import { benchConfig } from '../../bench/config.js';

describe('benchConfig', () => {
  it('measures both modes, and the cache saves the DynamoDB reads', { timeout: 60_000 }, async () => {
    const rows = await benchConfig({ seconds: 0.3 });
    const value = (name: string) => rows.find((row) => row.name === name)?.value;
    expect(rows.map((row) => row.unit)).toEqual(['req/s', 'req/s', 'reads', 'reads']);
    expect(value('config lookups/s, warm cache')).toBeGreaterThan(0);
    expect(value('config lookups/s, cache off')).toBeGreaterThan(0);
    expect(value('DynamoDB reads per 1,000 lookups, warm cache')).toBe(0);
    expect(value('DynamoDB reads per 1,000 lookups, cache off')).toBe(1000);
  });
});
