import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CrossStackReferences, ReferenceStrength, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FUNCTION_IDS } from '../shared/routes.js';
import { parseDeploymentContext } from './context.js';
import { functionRoles } from './function-roles.js';
import { SCHEDULED_FUNCTION_IDS } from './scheduled-functions.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

// The stack's id is its name: the role names derive from it.
const STATELESS_STACK_NAME = 'SignedPayStateless';

export interface SignedPayApp {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Builds the whole app: `cdk synth` runs it through this file, and tests call it with their
 * own context, so both check the same stacks. cdk-nag runs when the app is synthesized: an
 * unacknowledged finding makes `app.synth()` throw. `now` is the clock the payment-key record's
 * retirement windows are judged by (tests set it).
 */
export function buildApp(context?: Record<string, unknown>, { now }: { now?: () => Date } = {}): SignedPayApp {
  const app = new App(context ? { context } : {});
  // Strong (export/import) by default: CloudFormation then refuses to delete a table or key
  // that a function still uses. Payment keys opt into weak references (see PaymentSigningKeys).
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  const settings = parseDeploymentContext((key) => app.node.tryGetContext(key), now);

  // Both stacks are environment-agnostic and deployed together, so the role ARNs computed
  // here resolve to the same account and region in each.
  const roles = functionRoles({ statelessStackName: STATELESS_STACK_NAME, functionIds: [...FUNCTION_IDS, ...SCHEDULED_FUNCTION_IDS] });
  const stateful = new StatefulStack(app, 'SignedPayStateful', {
    description: 'signed-pay: signing keys and tables (retained)',
    paymentKeyGenerations: settings.paymentKeyGenerations,
    // Who reads and signs with which key; the bindings in StatelessStack grant the same
    // calls on the IAM side, and the key-policy tests check that the two agree.
    signingKeyRoles: {
      paymentSigner: roles.settlement.roleArn,
      paymentPublicKeyReaders: [roles.jwks.roleArn, roles.verification.roleArn],
      verdictSigner: roles.verification.roleArn,
      verdictPublicKeyReaders: [roles.jwks.roleArn],
      configSigner: roles.config.roleArn,
      configPublicKeyReaders: [roles.jwks.roleArn],
    },
  });
  const stateless = new StatelessStack(app, STATELESS_STACK_NAME, {
    description: 'signed-pay: functions, HTTP API and CloudFront',
    stateful,
    settings,
    functionRoles: roles,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  buildApp().app.synth();
}
