import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { createTableInput, LOCAL_TABLES } from '../../local/tables.js';
import { SYNTH_TIMEOUT_MS, synthesize } from './support/synth.js';

describe('the local stack and the CDK app', () => {
  it('define the same tables with the same key schemas and hand them to the same env vars', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const { statefulTemplate, statelessTemplate } = synthesize();
    // The legacy idempotency table stays one release for an upgrade's sake (stateful-stack.ts); nothing uses it.
    const cdkKeySchemas = Object.entries(statefulTemplate.findResources('AWS::DynamoDB::GlobalTable'))
      .filter(([logicalId]) => !logicalId.startsWith('IdempotencyTable'))
      .map(([, table]) => table.Properties.KeySchema);
    const localKeySchemas = Object.values(LOCAL_TABLES).map((table) => createTableInput(table).KeySchema);
    expect(localKeySchemas).toHaveLength(cdkKeySchemas.length);
    for (const schema of localKeySchemas) expect(cdkKeySchemas).toContainEqual(schema);

    const functionEnvVars = Object.values(statelessTemplate.findResources('AWS::Lambda::Function')).flatMap((fn) =>
      Object.keys(fn.Properties.Environment?.Variables ?? {}),
    );
    for (const variable of Object.keys(LOCAL_TABLES)) expect(functionEnvVars).toContain(variable);
  });

  it('names in the README the logical ids that sam local invoke needs, as the template has them', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    const named = [...readme.matchAll(/\b([A-Z][A-Za-z]+Function[0-9A-F]{8})\b/g)].map((match) => match[1]);
    const functions = Object.keys(synthesize().statelessTemplate.findResources('AWS::Lambda::Function'));
    expect(new Set(named)).toEqual(new Set(functions));
  });
});
