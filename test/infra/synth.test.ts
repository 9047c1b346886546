import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { delimiter, join, posix } from 'node:path';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { FUNCTION_IDS, type FunctionId } from '../../shared/routes.js';
import { JWT_ROTATING_TRACED, SYNTH_TIMEOUT_MS, WITHOUT_BUNDLING, logicalIdOf, synthesize } from './support/synth.js';

// These tests synthesize whole cloud assemblies, with cdk-nag running as CDK's policy
// validation: a finding nobody acknowledged makes app.synth() throw. The assemblies of a
// context are the ones the other infra tests read (synthesize: one synth per context).

interface ValidationReport {
  pluginReports: { summary?: { pluginName?: string }; violations?: unknown[] }[];
}

function validationReportOf(assemblyDirectory: string): ValidationReport | undefined {
  // The name changed across aws-cdk-lib versions.
  for (const name of ['validation-report.json', 'policy-validation-report.json']) {
    const path = join(assemblyDirectory, name);
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as ValidationReport;
  }
  return undefined;
}

describe('cdk-nag (AwsSolutions)', () => {
  it.each([
    ['the default deployment', {}],
    ['a JWT-authorized, mid-rotation, traced deployment', JWT_ROTATING_TRACED],
  ])(
    'finds nothing unacknowledged in %s',
    (_name, context) => {
      const assembly = synthesize(context, { templateValidation: true }).app.synth();
      const violations = validationReportOf(assembly.directory)?.pluginReports.flatMap((report) => report.violations ?? []) ?? [];
      expect(violations).toEqual([]);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'is really checking: an unacknowledged finding fails synth',
    () => {
      const { app, stateless } = buildApp({ ...WITHOUT_BUNDLING });
      new Secret(stateless, 'SecretWithoutRotation');
      expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('bundling', () => {
  it(
    'builds every function into an ESM entry (index.mjs) with the createRequire banner and a source map, lazily loaded code in chunks/, the AWS SDK inside',
    () => {
      // The one synth with real esbuild bundling.
      const { app, stateless } = buildApp();
      const assembly = app.synth();
      const template = assembly.getStackByName(stateless.stackName).template as {
        Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
      };
      const assetDirectoryOfFunction = (fn: IConstruct) =>
        join(assembly.directory, `asset.${template.Resources[logicalIdOf(fn)]!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const assetDirectoryOf = (functionId: FunctionId) => assetDirectoryOfFunction(stateless.functions[functionId]);
      // The routed functions and the scheduled rollout driver.
      const everyFunction = [...FUNCTION_IDS.map((functionId) => [functionId, stateless.functions[functionId]] as const), ['config-rollout', stateless.configRollout.function] as const];
      // Each function its own bundle: CDK once handed every function the first one's.
      expect(new Set(everyFunction.map(([, fn]) => assetDirectoryOfFunction(fn))).size).toBe(everyFunction.length);
      for (const [functionId, fn] of everyFunction) {
        const assetDirectory = assetDirectoryOfFunction(fn);
        expect(readdirSync(assetDirectory).filter((name) => name !== 'chunks').sort(), functionId).toEqual(['index.mjs', 'index.mjs.map']);
        const files = ['index.mjs', ...chunksIn(assetDirectory)];
        for (const file of files) {
          const code = readFileSync(join(assetDirectory, file), 'utf8');
          expect(code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);"), file).toBe(true);
          expect(code, file).toMatch(new RegExp(`//# sourceMappingURL=${file.split('/').pop()!.replace('.', '\\.')}\\.map\\s*$`));
        }
        expect(readFileSync(join(assetDirectory, 'index.mjs'), 'utf8'), functionId).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{\s*handler\b/);
      }
      // Settlement calls KMS and DynamoDB on every payment: the pinned SDK clients load with its
      // entry, not expected from the runtime. Verification and jwks load them only when a request
      // needs AWS (deployed keys cover the rest): a cold start reads no SDK code.
      const codeOf = (functionId: FunctionId, files: string[]) => files.map((file) => readFileSync(join(assetDirectoryOf(functionId), file), 'utf8')).join('\n');
      const settlement = codeOf('settlement', staticallyLoaded(assetDirectoryOf('settlement')));
      expect(settlement).toContain('TrentService');
      expect(settlement).toContain('DynamoDB_20120810');
      for (const functionId of ['verification', 'jwks'] as const) {
        const atColdStart = staticallyLoaded(assetDirectoryOf(functionId));
        expect(codeOf(functionId, atColdStart), functionId).not.toContain('TrentService');
        expect(codeOf(functionId, atColdStart), functionId).not.toContain('@aws-sdk/');
        const lazily = chunksIn(assetDirectoryOf(functionId)).filter((file) => !atColdStart.includes(file));
        expect(codeOf(functionId, lazily), functionId).toContain('TrentService');
      }
      // Config reads DynamoDB from its first request, but signs an answer once per version and
      // container: its KMS client loads with the first signature, never at cold start.
      const configAtColdStart = staticallyLoaded(assetDirectoryOf('config'));
      expect(codeOf('config', configAtColdStart)).toContain('DynamoDB_20120810');
      expect(codeOf('config', configAtColdStart)).not.toContain('TrentService');
      const configLazily = chunksIn(assetDirectoryOf('config')).filter((file) => !configAtColdStart.includes(file));
      expect(codeOf('config', configLazily)).toContain('TrentService');
      // The rollout driver reads the config table and the alarms' state: both clients in its bundle, no KMS.
      const driverDirectory = assetDirectoryOfFunction(stateless.configRollout.function);
      const driver = ['index.mjs', ...chunksIn(driverDirectory)].map((file) => readFileSync(join(driverDirectory, file), 'utf8')).join('\n');
      expect(driver).toContain('DynamoDB_20120810');
      expect(driver).toContain('GraniteServiceVersion20100801');
      expect(driver).not.toContain('TrentService');
    },
    SYNTH_TIMEOUT_MS * 2,
  );
});

/** index.mjs and every file it imports statically, transitively: what Node reads at cold start. */
function staticallyLoaded(assetDirectory: string): string[] {
  const loaded: string[] = [];
  const visit = (file: string) => {
    if (loaded.includes(file)) return;
    loaded.push(file);
    const code = readFileSync(join(assetDirectory, file), 'utf8');
    // Static imports as esbuild writes them: `import{a as b}from"./chunks/x.mjs"` or `import"./x.mjs"`; never `import(`.
    for (const [, specifier] of code.matchAll(/\bimport\s*(?:\{[^}]*\}\s*from\s*|\*\s*as\s*[\w$]+\s*from\s*|[\w$]+\s*from\s*)?"(\.{1,2}\/[^"]+)"/g)) {
      visit(posix.join(posix.dirname(file), specifier!));
    }
  };
  visit('index.mjs');
  return loaded;
}

/** The chunk files of a function asset, as paths relative to it. */
function chunksIn(assetDirectory: string): string[] {
  const directory = join(assetDirectory, 'chunks');
  if (!existsSync(directory)) return [];
  return readdirSync(directory).filter((name) => name.endsWith('.mjs')).map((name) => `chunks/${name}`);
}

// cfn-lint catches invalid properties that synth lets through. Under CI it must run;
// elsewhere a machine without it skips this with a notice.
const cfnLint = findOnPath('cfn-lint');
if (!cfnLint && process.env.CI === 'true') {
  it('has cfn-lint on PATH (required when CI=true)', () => {
    throw new Error('cfn-lint not found on PATH, and CI=true: the template lint must run in CI');
  });
} else if (!cfnLint) {
  console.warn('cfn-lint not found on PATH: skipping the CloudFormation lint of the synthesized templates');
}

const LINTED_DEPLOYMENTS: [string, Record<string, unknown>][] = [
  ['the default deployment', {}],
  ['a JWT-authorized, mid-rotation, traced deployment', JWT_ROTATING_TRACED],
];

/** The CloudFormation templates synth wrote for a deployment. */
function templatesOf(context: Record<string, unknown>): string[] {
  const directory = synthesize(context).app.synth().directory;
  return readdirSync(directory)
    .filter((file) => file.endsWith('.template.json'))
    .map((file) => join(directory, file));
}

interface CfnLintMatch {
  Filename: string;
}

// One cfn-lint run for every deployment's templates: its start (2-3 s) is most of its time.
let cfnLintRun: { error?: Error; status: number | null; stdout: string; stderr: string } | undefined;
function cfnLintOfAllDeployments() {
  // W3005: CDK puts the execution role in a function's DependsOn besides its GetAtt;
  // redundant, harmless, and not ours to change.
  cfnLintRun ??= spawnSync(
    cfnLint!,
    ['--format', 'json', '--ignore-checks', 'W3005', '--', ...LINTED_DEPLOYMENTS.flatMap(([, context]) => templatesOf(context))],
    { encoding: 'utf8' },
  );
  return cfnLintRun;
}

describe.runIf(cfnLint !== undefined)('cfn-lint', () => {
  it.each(LINTED_DEPLOYMENTS)(
    'finds no error or warning in %s',
    (_name, context) => {
      const templates = templatesOf(context);
      expect(templates).toHaveLength(2);
      const lint = cfnLintOfAllDeployments();
      expect(lint.error).toBeUndefined();
      expect(lint.stderr).toBe('');
      const matches = JSON.parse(lint.stdout) as CfnLintMatch[];
      expect(matches.filter((match) => templates.includes(match.Filename))).toEqual([]);
      // cfn-lint exits non-zero only for findings (then in another deployment's templates).
      if (matches.length === 0) expect(lint.status).toBe(0);
    },
    SYNTH_TIMEOUT_MS,
  );
});

function findOnPath(command: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(directory, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
