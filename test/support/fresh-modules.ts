// Setup file of the `system` project (vitest.config.ts), run before each of its test files. The
// files of a worker share its loaded dependencies (node_modules: the AWS SDK, jose, zod, dynalite),
// loaded once instead of once per file; our own modules are evaluated afresh for every file, so
// that a local stack started by one file gets handlers that read its environment (handlers read
// process.env once, at import, as a Lambda container does), and no module state outlives its file.
// Whatever a file changes in process.env is undone after it.
import { afterAll, vi } from 'vitest';

vi.resetModules();

const environment = { ...process.env };
afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
});
