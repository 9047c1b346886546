import { describe, expect, it } from 'vitest';
import { readme } from './support/readme.js';

/** GitHub's heading anchor: lower case, punctuation dropped except '-' and '_', spaces to '-'. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-');
}

/** Headings outside fenced code blocks, as [level, text]. */
function headings(): Array<[number, string]> {
  const withoutCode = readme.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/^(#{2,3}) (.+)$/gm)].map((match) => [match[1]!.length, match[2]!.trim()]);
}

const toc = readme.slice(readme.indexOf('## Contents'), readme.indexOf('\n## ', readme.indexOf('## Contents') + 1));

describe('the README table of contents', () => {
  it('links every section (##) and API route (### under ## API), in order, and nothing else', () => {
    let inApi = false;
    const expected: string[] = [];
    for (const [level, text] of headings()) {
      if (level === 2) inApi = text === 'API';
      if (text === 'Contents') continue;
      if (level === 2 || inApi) expected.push(`${level === 2 ? '-' : '  -'} [${text.replace(/`/g, '`')}](#${anchorOf(text)})`);
    }
    const listed = toc.split('\n').filter((line) => /^\s*- \[/.test(line));
    expect(listed).toEqual(expected);
  });
});
