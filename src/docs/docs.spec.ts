import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SERVICE_RUNTIME } from '../config/runtime';
import { dirname, join, normalize } from 'node:path';
import { Env } from '../config/env.validation';
import { GENERATED_BLOCKS } from './generate';
import { REPO_ROOT, withBlock, writeBlocks } from './generated-block';
import { FOLDER_PURPOSE, sourceFolders } from './module-map';

/** The README and every page of docs/ (docs/incoming holds helpers' notes waiting to be folded in, not pages). */
const PAGES = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(REPO_ROOT, page), 'utf8');

/** Markdown links and images outside code blocks and code spans: [text](target). */
function links(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set(
    [...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Rows of the first table under a heading, as cells. */
function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const section = markdown.slice(start + 1).split(/\n## /)[0];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) => line.slice(2, -2).split(' | '));
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('the README and docs/', () => {
  it.each(PAGES)('%s: every relative link resolves inside the repository, and no link leaves it', (page) => {
    const problems: string[] = [];
    for (const target of links(read(page))) {
      if (/^[a-z]+:/i.test(target)) {
        if (!/^https?:\/\/localhost[:/]/.test(target)) problems.push(`${target}: links outside the repository`);
        continue;
      }
      const [path, anchor] = target.split('#');
      const file = path ? normalize(join(dirname(page), path)) : page;
      if (file.startsWith('..')) problems.push(`${target}: leaves the repository`);
      else if (!existsSync(join(REPO_ROOT, file))) problems.push(`${target}: ${file} does not exist`);
      else if (anchor && statSync(join(REPO_ROOT, file)).isFile() && file.endsWith('.md') && !anchors(read(file)).has(anchor))
        problems.push(`${target}: ${file} has no heading #${anchor}`);
    }
    expect(problems).toEqual([]);
  });

  it('has a README short enough to be a map', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(260);
  });

  it('links every page of docs/ from the README', () => {
    const linked = new Set(links(read('README.md')).map((l) => l.split('#')[0]));
    expect(PAGES.filter((p) => p !== 'README.md' && !linked.has(p))).toEqual([]);
  });

  it('points each rule of the index at a file that exists and names the symbol', () => {
    const rows = tableUnder(read('README.md'), 'Rule → where it is enforced');
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const problems = rows.flatMap(([rule, file, symbol]) => {
      const path = join(REPO_ROOT, unquote(file));
      if (!existsSync(path)) return [`${rule}: ${file} does not exist`];
      return new RegExp(`\\b${unquote(symbol)}\\b`).test(readFileSync(path, 'utf8')) ? [] : [`${rule}: ${file} does not name ${symbol}`];
    });
    expect(problems).toEqual([]);
  });

  it('proves each single-actor guarantee by a test that exists under that name', () => {
    const rows = tableUnder(read('README.md'), 'Single-actor guarantees');
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const problems = rows.flatMap(([principal, never, proof]) => {
      const match = /^`([^`]+)` › "(.+)"$/.exec(proof);
      if (!match) return [`${principal} / ${never}: write the proof as \`test/file\` › "test name"`];
      const [, file, name] = match;
      if (!existsSync(join(REPO_ROOT, file))) return [`${principal} / ${never}: ${file} does not exist`];
      return readFileSync(join(REPO_ROOT, file), 'utf8').includes(`it('${name.replace(/'/g, "\\'")}'`)
        ? []
        : [`${principal} / ${never}: ${file} has no test "${name}"`];
    });
    expect(problems).toEqual([]);
  });

  it('describes every folder of src/ in the module map, and no folder that is gone', () => {
    expect(Object.keys(FOLDER_PURPOSE).sort()).toEqual(sourceFolders());
  });

  it('has every generated block as the code renders it now (`npm run diagram`, or UPDATE_DOCS=1 on this test, rewrites them)', () => {
    if (process.env.UPDATE_DOCS) writeBlocks(GENERATED_BLOCKS);
    const stale = GENERATED_BLOCKS.filter((block) => {
      const page = read(block.file);
      return withBlock(page, block) !== page;
    }).map((b) => `${b.file}: ${b.name}`);
    expect(stale).toEqual([]);
  });

  it('starts the service as SERVICE_RUNTIME says in the Dockerfile and in npm start', () => {
    const env = Object.entries(SERVICE_RUNTIME.env).map(([name, value]) => `${name}=${value}`);
    const dockerfile = read('Dockerfile');
    expect(env.filter((setting) => !new RegExp(`^ENV .*\\b${setting}\\b`, 'm').test(dockerfile))).toEqual([]);
    expect(dockerfile).toContain(`CMD ["node", ${SERVICE_RUNTIME.nodeFlags.map((flag) => `"${flag}"`).join(', ')}, "dist/src/main.js"]`);
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe(`${env.join(' ')} exec node ${SERVICE_RUNTIME.nodeFlags.join(' ')} scripts/start.js`);
  });

  it('lists every environment setting in docs/configuration.md', () => {
    const source = read('src/config/env.validation.ts');
    const body = source.slice(source.indexOf('export class Env'));
    const settings = [...new Set([...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+)[?!]?(?::|\s=)/gm)].map((m) => m[1]))];
    expect(settings).toEqual(expect.arrayContaining(Object.keys(new Env())));
    const page = read('docs/configuration.md');
    expect(settings.filter((s) => !page.includes(`\`${s}\``))).toEqual([]);
  });
});
