import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../local/local-stack.js';

/** The repository's README, as a reader sees it. */
export const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');

/** The first fenced block of a language after a heading (or any line): what a reader copies. */
export function codeBlockAfter(heading: string, language: string): string {
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`the README has no ${heading}`);
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(readme.slice(at));
  if (!match?.[1]) throw new Error(`no ${language} block after ${heading}`);
  return match[1];
}
