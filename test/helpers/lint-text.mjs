// Lints texts as if they were files at the given paths, writing nothing: the project's ESLint config without type
// information (the path-based rules need none). Reads {"path": "text", …} on stdin, prints ESLint's results as JSON.
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = new URL('../..', import.meta.url).pathname;
const texts = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
const results = [];
for (const [path, text] of Object.entries(texts)) results.push(...(await eslint.lintText(text, { filePath: path })));
process.stdout.write(JSON.stringify(results));
