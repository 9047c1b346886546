import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const EXCLUDE = ['node_modules/**', 'cdk.out/**', 'client/dist/**', '.local/**'];
const INFRA = 'test/infra/**/*.test.ts';

export default defineConfig({
  test: {
    // Integration tests start real local services; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Quiet functions: no log lines, no EMF metrics (test/observability turns both back on to check them).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    // Worker threads start faster and cheaper than child processes; the test files' own child
    // processes (npm start, the CLIs, moto_server, cfn-lint) are unaffected.
    pool: 'threads',
    // Vitest's default is one worker less than the cores: one on a 2-core machine, where many
    // files mostly wait (on child processes, hanging dependencies, deadlines). One per core; more
    // cost more CPU (each worker loads its own modules) than they win back in waits.
    maxWorkers: availableParallelism(),
    // Each worker runs file after file in one thread, and loads node_modules once for them all,
    // instead of starting a thread and loading the AWS SDK, aws-cdk-lib, jose... for every file.
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'infra',
          include: [INFRA],
          exclude: EXCLUDE,
          // The CDK tests also share their modules: CDK's template validation engine (5-10 s to
          // start) and each synthesized context (test/infra/support/synth.ts) are paid once per
          // worker, not once per file. They only read apps they did not build.
        },
      },
      {
        extends: true,
        test: {
          name: 'system',
          include: ['**/*.test.ts'],
          exclude: [...EXCLUDE, INFRA],
          // Our own modules are evaluated afresh for each file (local stacks, their handlers and
          // process.env included): see the first setup file. The second fails a test that received
          // an answer, through a local stack, that breaks openapi.json.
          setupFiles: ['test/support/fresh-modules.ts', 'test/support/contract-check.ts'],
        },
      },
    ],
  },
});
