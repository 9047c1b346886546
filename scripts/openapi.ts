// `npm run openapi`: writes openapi.json and the types read from it. With `--check` (part of
// `npm run check`, so of `npm test` and CI) it writes nothing and fails when a committed file
// differs from what the code generates now.
import { writeFile } from 'node:fs/promises';
import { renderArtifacts, staleArtifacts } from './openapi/artifacts.js';

const root = new URL('../', import.meta.url);

if (process.argv.includes('--check')) {
  for (const path of await staleArtifacts(root)) {
    process.stderr.write(`${path} is stale: run npm run openapi\n`);
    process.exitCode = 1;
  }
} else {
  for (const { path, text } of await renderArtifacts()) await writeFile(new URL(path, root), text);
}
