import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp, type SignedPayApp } from '../../../infra/app.js';
import { MID_ROTATION_RECORD } from './payment-key-records.js';

/** Skips esbuild: template tests look at CloudFormation, not at bundles, and run 10x faster. */
export const WITHOUT_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** The first synth in a process costs 5-10 s on two cores (CDK's template validation engine starts). */
export const SYNTH_TIMEOUT_MS = 60_000;

/** JWT-authorized, mid-rotation and traced: the deployment that turns on the most resources. */
export const JWT_ROTATING_TRACED = {
  paymentKeyRecord: MID_ROTATION_RECORD,
  settlementAuthorizer: 'jwt',
  jwtIssuer: 'https://issuer.example.com/',
  jwtAudience: ['signed-pay-merchants'],
  tracing: true,
} as const;

export interface SynthesizedApp extends SignedPayApp {
  statefulTemplate: Template;
  statelessTemplate: Template;
}

export interface SynthOptions {
  /**
   * Also run CDK's built-in CloudFormation template validation, as `cdk synth` does. Unless the
   * context turns on `@aws-cdk/core:validateAgainstDefaultRules` (or its strict mode) it only
   * warns, in the assembly's validation report: synth.test.ts reads that report, the template
   * tests do not, so they leave it out (its engine takes 5-10 s to start and 0.5 s a synth).
   * cdk-nag runs either way.
   */
  templateValidation?: boolean;
}

// One synth per context for every test file of the worker: the infra project runs its files
// without isolation (vitest.config.ts), so a context another file synthesized is not paid again.
const synthesized = new Map<string, { app: SynthesizedApp; templateValidation: boolean }>();

/** The flags under which CDK's built-in template validation fails synth instead of warning. */
const TEMPLATE_VALIDATION_FAILS_SYNTH = ['@aws-cdk/core:validateAgainstDefaultRules', '@aws-cdk/core:strictCfnValidateErrors'];

/**
 * The real app (same `buildApp` as `cdk synth`, cdk-nag included), with extra context and no
 * bundling, synthesized once per context and shared: read it, never add to it (a test that adds
 * constructs builds its own app with `buildApp`). A context that fails to synthesize fails anew
 * at every call.
 */
export function synthesize(context: Record<string, unknown> = {}, { templateValidation = false }: SynthOptions = {}): SynthesizedApp {
  const key = canonicalJson(context);
  const cached = synthesized.get(key);
  if (cached && (cached.templateValidation || !templateValidation)) return cached.app;
  const built = buildApp({ ...WITHOUT_BUNDLING, ...context });
  const validationMayFail = TEMPLATE_VALIDATION_FAILS_SYNTH.some((flag) => [true, 'true'].includes(built.app.node.tryGetContext(flag)));
  withTemplateValidation(templateValidation || validationMayFail, () => built.app.synth());
  const app = { ...built, statefulTemplate: Template.fromStack(built.stateful), statelessTemplate: Template.fromStack(built.stateless) };
  synthesized.set(key, { app, templateValidation });
  return app;
}

/** CDK reads CDK_VALIDATION when it synthesizes (synth is synchronous: nothing else sees the change). */
function withTemplateValidation<T>(enabled: boolean, synth: () => T): T {
  const previous = process.env.CDK_VALIDATION;
  if (!enabled) process.env.CDK_VALIDATION = 'false';
  try {
    return synth();
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

/** JSON with object keys sorted: equal contexts give equal keys whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function logicalIdOf(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).getLogicalId(element);
}

/**
 * Rewrites CloudFormation references into short strings, so whole statements and
 * environments can be compared with `toEqual`: `LedgerTable1234.Arn`, `LedgerTable1234`.
 * Cross-stack references (exports and Fn::GetStackOutput alike) become the producer's
 * logical id, found among `producerLogicalIds`.
 */
export function readable(value: unknown, producerLogicalIds: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => readable(item, producerLogicalIds));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return object.Ref;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `${getAtt[0]}.${getAtt[1]}`;
  if (typeof object['Fn::ImportValue'] === 'string') return producedValue(object['Fn::ImportValue'], producerLogicalIds);
  const stackOutput = object['Fn::GetStackOutput'] as { OutputName?: unknown } | undefined;
  if (typeof stackOutput?.OutputName === 'string') return producedValue(stackOutput.OutputName, producerLogicalIds);
  const join = object['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map((part) => readable(part, producerLogicalIds));
    if (parts.every((part) => typeof part === 'string')) return parts.join(String(join[0]));
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, readable(item, producerLogicalIds)]));
}

// CDK names cross-stack outputs `ExportsOutputFnGetAtt<id><attribute><hash>` or `ExportsOutputRef<id><hash>`.
function producedValue(outputName: string, producerLogicalIds: readonly string[]): string {
  for (const id of producerLogicalIds) {
    for (const attribute of ['Arn', 'Jwk']) if (outputName.includes(`FnGetAtt${id}${attribute}`)) return `${id}.${attribute}`;
    if (outputName.includes(`Ref${id}`)) return id;
  }
  throw new Error(`Cross-stack reference ${outputName} names none of the producer's resources`);
}

/** Every statement of every policy attached to a function's execution role, readable. */
export function roleStatementsOf(app: SynthesizedApp, fn: { role?: IConstruct }): unknown[] {
  if (!fn.role) throw new Error('function has no role');
  const roleId = logicalIdOf(fn.role);
  const policies = app.statelessTemplate.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  const producerIds = Object.keys(app.statefulTemplate.toJSON().Resources as object);
  return Object.values(policies).flatMap((policy) =>
    readable((policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement, producerIds) as unknown[],
  );
}

/** A function's environment variables, readable. */
export function environmentOf(app: SynthesizedApp, fn: IConstruct): Record<string, unknown> {
  const resource = app.statelessTemplate.toJSON().Resources[logicalIdOf(fn)] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  };
  const producerIds = Object.keys(app.statefulTemplate.toJSON().Resources as object);
  return readable(resource.Properties.Environment.Variables, producerIds) as Record<string, unknown>;
}

/** Every IAM action granted anywhere in the app. */
export function allGrantedActions(app: SynthesizedApp): string[] {
  return [app.statefulTemplate, app.statelessTemplate].flatMap((template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement.flatMap(
        (statement) => [statement.Action].flat(),
      ),
    ),
  );
}
