/**
 * The architecture, checked on every `npm test` (see docs/ARCHITECTURE.md):
 * domain -> nothing with I/O; use cases -> domain and ports only; functions/shared -> never the
 * local stack, infra, tests or benches, and zod only as zod/mini through shared/zod.ts; the
 * client SDK -> nothing of the server, no Node built-ins.
 */

// A zod module: resolved under node_modules, or as written when it cannot be resolved.
const ZOD = '(^|/)(node_modules/)?zod(/|$)';
// zod/mini, the core it is built on, and the one locale shared/zod.ts loads.
const ZOD_MINI = ['(^|/)(node_modules/)?zod/(mini|v4/mini|v4/core)(/|$)', '(^|/)(node_modules/)?zod/v4/locales/en\\.js$'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes a module impossible to read or test on its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'shared/domain is pure: no adapter, no HTTP, no use case, no AWS SDK, no Lambda tooling, no I/O.',
      from: { path: '^shared/domain/' },
      to: {
        path: ['^shared/(adapters|http|use-cases|lambda-env|observability)/', '^(functions|infra|local|scripts|test|bench|client)/'],
      },
    },
    {
      name: 'domain-uses-no-sdk',
      severity: 'error',
      from: { path: '^shared/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev'], path: ['^@aws-sdk/', '^@aws-lambda-powertools/', '^@middy/'] },
    },
    {
      name: 'domain-uses-no-node-module',
      severity: 'error',
      comment: 'No node: module at all (I/O, crypto, clock sources): the domain computes, adapters reach out.',
      from: { path: '^shared/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'use-cases-import-no-adapter',
      severity: 'error',
      comment: 'A use case talks to ports (shared/domain); handlers hand it adapters.',
      from: { path: '^shared/use-cases/' },
      to: { path: ['^shared/(adapters|http|lambda-env|observability)/', '^@aws-sdk/', '^@aws-lambda-powertools/', '^@middy/'] },
    },
    {
      name: 'deployed-code-imports-no-local-infra-or-tests',
      severity: 'error',
      comment: 'What CDK deploys runs the same locally: it never reaches for the local stack, infra, tests, benches or scripts.',
      from: { path: '^(functions|shared)/' },
      to: { path: '^(local|infra|test|bench|scripts)/' },
    },
    {
      name: 'deployed-code-uses-zod-mini',
      severity: 'error',
      comment:
        'Full zod (the classic API and all its locales) is ~444 KiB of every function bundle and ~84 ms of import at each cold start; zod/mini with the English locale is ~30 KiB.',
      from: { path: '^(functions|shared)/' },
      to: { path: ZOD, pathNot: ZOD_MINI },
    },
    {
      name: 'deployed-code-imports-zod-through-shared-zod',
      severity: 'error',
      comment:
        "zod/mini says only 'Invalid input' until a locale is loaded; shared/zod.ts loads the English one, whose messages callers read in problem+json errors and operators in cold-start errors.",
      from: { path: '^(functions|shared)/', pathNot: '^shared/zod\\.ts$' },
      to: { path: ZOD },
    },
    {
      name: 'client-is-standalone',
      severity: 'error',
      comment: 'The SDK runs in browsers and React Native: nothing of the server, no Node built-ins.',
      from: { path: '^client/src/' },
      to: { path: ['^(shared|functions|infra|local|scripts|test|bench)/'] },
    },
    {
      name: 'client-uses-no-node-builtins',
      severity: 'error',
      from: { path: '^client/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'only-tests-import-tests',
      severity: 'error',
      comment: 'Benches and tools have their own support; test/ is for tests.',
      from: { path: '^(functions|shared|infra|local|scripts|bench|client)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // Packages are not cruised, but imports of them stay in the graph for the rules above.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|client/dist|\\.local)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JavaScript API for dependency-cruiser: swc parses instead.
    parser: 'swc',
    combinedDependencies: false,
  },
};
