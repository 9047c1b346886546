import { fileURLToPath } from 'node:url';

/** The repository root: where function entries live and esbuild resolves the packages it bundles. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));
