// A function's environment is its handler's contract (functions/<id>/env.ts): the CDK stack can set
// only the variables a contract names (else tsc fails `npm test`), and must set every required one
// (else `cdk synth` fails). Adding a variable means touching the contract and one binding.
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { TableV2, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { jwksEnvSchema } from '../../functions/jwks/env.js';
import { settlementEnvSchema } from '../../functions/settlement/env.js';
import { ApiFunction, type BindTarget } from '../../infra/constructs/api-function.js';
import { bindLedgerForRead } from '../../infra/constructs/bindings.js';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';
import { requiredEnvNames } from '../../shared/lambda-env/parse-env.js';
import { handlerEntryOf } from '../../shared/routes.js';
import { SYNTH_TIMEOUT_MS, WITHOUT_BUNDLING } from './support/synth.js';

function functionWith<Contract extends typeof settlementEnvSchema | typeof jwksEnvSchema>(contract: Contract) {
  const app = new App({ context: WITHOUT_BUNDLING });
  const stack = new Stack(app, 'ContractTest');
  const fn = new ApiFunction(stack, 'Fn', {
    environmentContract: contract,
    entry: join(REPOSITORY_ROOT, handlerEntryOf('jwks')),
    projectRoot: REPOSITORY_ROOT,
    serviceName: 'contract-test',
    description: 'contract test',
  });
  const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  return { app, fn, table };
}

describe('environment contracts', () => {
  it('make a binding that sets a variable the handler does not read a type error', () => {
    const { fn, table } = functionWith(jwksEnvSchema);
    // @ts-expect-error jwks does not read LEDGER_TABLE_NAME: binding the ledger to it cannot compile.
    expect(() => bindLedgerForRead(fn, table)).not.toThrow();
    // @ts-expect-error nor can setting a name outside its contract by hand.
    fn.setEnvironment('LEDGER_TABLE_NAME', 'x');
    expectTypeOf(fn).not.toExtend<BindTarget<'LEDGER_TABLE_NAME'>>();
    expectTypeOf(functionWith(settlementEnvSchema).fn).toExtend<BindTarget<'LEDGER_TABLE_NAME'>>();
  });

  it('fail synth naming every required variable left unset', { timeout: SYNTH_TIMEOUT_MS }, () => {
    const { app, fn, table } = functionWith(settlementEnvSchema);
    bindLedgerForRead(fn, table);
    expect(() => app.synth()).toThrow(/Fn leaves required variables of its environment contract unset: PAYMENT_SIGNING_KEY_ARN, PAYMENT_ISSUER, MERCHANT_TABLE_NAME, PAYMENT_PROCESSOR/);
  });

  it('know which variables are required: those without a default that are not optional', () => {
    expect(requiredEnvNames(jwksEnvSchema)).toEqual(['TRUSTED_PAYMENT_KEY_ARNS', 'VERDICT_SIGNING_KEY_ARN', 'CONFIG_SIGNING_KEY_ARN']);
  });
});
