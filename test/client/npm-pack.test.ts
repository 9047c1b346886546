import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = join(ROOT, 'client');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** npm's own variables (npm test sets some, e.g. npm_config_local_prefix) would point the inner npm at the repository. */
const NPM_ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: NPM_ENV });

// What a publisher does (`npm pack` in client/, which builds it first) and what a user then
// does (install the tarball into an empty project, import it from JavaScript, compile against its types).
let work: string;
let tarball: string;
let packedFiles: string[];
let app: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'signed-pay-pack-'));
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  await npm(['pack', '--pack-destination', packDir], CLIENT);
  tarball = join(packDir, readdirSync(packDir).find((name) => name.endsWith('.tgz'))!);
  packedFiles = (await run('tar', ['-tzf', tarball])).stdout.split('\n').filter(Boolean).map((path) => path.replace(/^package\//, ''));

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await npm(['install', '--offline', tarball], app);
}, 180_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed SDK', () => {
  it('holds the built module, its types, README and LICENSE, and nothing of its sources or tests', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/types.d.ts']));
    for (const path of packedFiles) expect(path).toMatch(/^(LICENSE|README\.md|package\.json|dist\/[\w-]+\.(js|js\.map|d\.ts))$/);
  });

  it('is publishable: MIT, no dependency to install, an exports map with types', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/@signed-pay/client/package.json'), 'utf8'));
    expect(manifest).not.toHaveProperty('private');
    expect(manifest).not.toHaveProperty('dependencies');
    expect(manifest).toMatchObject({ name: '@signed-pay/client', license: 'MIT', types: './dist/index.d.ts' });
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  it('runs from a Node ESM script in a project that installed it, which can reach its entry point only', async () => {
    writeFileSync(
      join(app, 'settle.mjs'),
      `import { createClient } from '@signed-pay/client';
const seen = [];
const fetch = async (url, init) => {
  seen.push(new Headers(init.headers).get('authorization'));
  return new Response(JSON.stringify({ paymentId: 'pay_1', status: 'SETTLED', paymentResponse: 'a.b.c' }), { status: 201 });
};
const client = createClient({ baseUrl: 'https://api.example.test', fetch, auth: { headers: { authorization: 'Bearer t' } } });
const settlement = await client.settle({ orderId: 'o_1', amount: { value: 100, currency: 'EUR' }, paymentMethod: { type: 'card', token: 'tok_success' } });
const deepImport = await import('@signed-pay/client/dist/http.js').then(() => 'allowed', (error) => error.code);
console.log(JSON.stringify({ status: settlement.status, seen, deepImport }));
`,
    );
    const { stdout } = await run(process.execPath, ['settle.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ status: 'SETTLED', seen: ['Bearer t'], deepImport: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  });

  it('type-checks a TypeScript consumer against its declarations alone, under Node and bundler resolution', async () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { ApiError, type Auth, type AuthRequest, createClient, type ProblemFieldError, WebCryptoUnavailableError } from '@signed-pay/client';

const signRequest = async ({ method, url, body }: AuthRequest) => ({ 'x-signature': \`\${method} \${url} \${body.length}\` });
const auth: Auth = signRequest;
const client = createClient({ baseUrl: 'https://api.example.test', auth });
// @ts-expect-error auth is headers or a function, not a token string
createClient({ baseUrl: 'https://api.example.test', auth: 'Bearer t' });

export async function pay(signal: AbortSignal): Promise<string> {
  try {
    const settlement = await client.settle(
      { orderId: 'o_1', amount: { value: 100, currency: 'EUR' }, paymentMethod: { type: 'card', token: 'tok_success' } },
      { idempotencyKey: 'o_1-attempt-1', signal },
    );
    const { completed } = await client.confirmPayment(settlement.paymentResponse, { merchantId: 'm_1', orderId: 'o_1', amount: { value: 100, currency: 'EUR' } }, { nonce: true, signal });
    return completed ? settlement.paymentId : 'not completed';
  } catch (error) {
    if (error instanceof ApiError) {
      const fields: readonly ProblemFieldError[] = error.errors;
      const requestId: string | undefined = error.requestId;
      return \`\${error.status} \${error.type} \${fields.map((field) => field.path).join()} \${requestId}\`;
    }
    if (error instanceof WebCryptoUnavailableError) return error.missing;
    throw error;
  }
}
`,
    );
    const compilerOptions = { target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], strict: true, noEmit: true, skipLibCheck: false };
    for (const resolution of [
      { module: 'NodeNext', moduleResolution: 'NodeNext' },
      { module: 'ESNext', moduleResolution: 'Bundler' },
    ]) {
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, files: ['consumer.ts'] }));
      const result = await run(process.execPath, [TSC, '-p', app]).catch((error: { stdout: string }) => error);
      expect(result.stdout, resolution.moduleResolution).toBe('');
    }
  });
});

describe('client/ as a package of its own', () => {
  it("carries the repository's LICENSE, the same text", () => {
    expect(readFileSync(join(CLIENT, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
  });

  it('builds with the versions the repository installs', () => {
    const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const installed = { ...rootManifest.dependencies, ...rootManifest.devDependencies };
    const { devDependencies } = JSON.parse(readFileSync(join(CLIENT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const [name, version] of Object.entries(devDependencies)) expect(version, name).toBe(installed[name]);
  });
});
