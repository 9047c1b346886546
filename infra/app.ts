import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, CrossStackReferences, ReferenceStrength, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseDeploymentContext } from './context.js';
import { StatefulStack } from './stacks/stateful-stack.js';
import { StatelessStack } from './stacks/stateless-stack.js';

export interface SignedPayApp {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Builds the whole app: `cdk synth` runs it through this file, and tests call it with their
 * own context, so both check the same stacks. cdk-nag runs when the app is synthesized: an
 * unacknowledged finding makes `app.synth()` throw.
 */
export function buildApp(context?: Record<string, unknown>): SignedPayApp {
  const app = new App(context ? { context } : {});
  // Strong (export/import) by default: CloudFormation then refuses to delete a table or key
  // that a function still uses. Payment keys opt into weak references (see PaymentSigningKeys).
  CrossStackReferences.of(app).consume(ReferenceStrength.STRONG);
  const settings = parseDeploymentContext((key) => app.node.tryGetContext(key));

  const stateful = new StatefulStack(app, 'SignedPayStateful', {
    description: 'signed-pay: signing keys and tables (retained)',
    paymentKeyGenerations: settings.paymentKeyGenerations,
  });
  const stateless = new StatelessStack(app, 'SignedPayStateless', {
    description: 'signed-pay: functions, HTTP API and CloudFront',
    stateful,
    settings,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stateful, stateless };
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  buildApp().app.synth();
}
