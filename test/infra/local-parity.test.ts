import { describe, expect, it } from 'vitest';
import { createTableInput, LOCAL_TABLES } from '../../local/tables.js';
import { SYNTH_TIMEOUT_MS, synthesize } from './support/synth.js';

describe('the local stack and the CDK app', () => {
  it('define the same tables with the same key schemas and hand them to the same env vars', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const { statefulTemplate, statelessTemplate } = synthesize();
    const cdkKeySchemas = Object.values(statefulTemplate.findResources('AWS::DynamoDB::GlobalTable')).map(
      (table) => table.Properties.KeySchema,
    );
    const localKeySchemas = Object.values(LOCAL_TABLES).map((table) => createTableInput(table).KeySchema);
    expect(localKeySchemas).toHaveLength(cdkKeySchemas.length);
    for (const schema of localKeySchemas) expect(cdkKeySchemas).toContainEqual(schema);

    const functionEnvVars = Object.values(statelessTemplate.findResources('AWS::Lambda::Function')).flatMap((fn) =>
      Object.keys(fn.Properties.Environment?.Variables ?? {}),
    );
    for (const variable of Object.keys(LOCAL_TABLES)) expect(functionEnvVars).toContain(variable);
  });
});
