import { Policy } from '../config/policy';
import { GeneratedBlock } from './generated-block';

/**
 * JSON with every object or array that fits on its line (`width` characters) kept on one line; `column` is where
 * the value starts on its line, `indent` the indentation of the line itself.
 */
export function compactJson(value: unknown, indent = 0, column = indent, width = 118): string {
  const flat = JSON.stringify(value, null, 1)?.replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
  if (flat === undefined || typeof value !== 'object' || value === null || column + flat.length <= width) return flat ?? 'null';
  const pad = ' '.repeat(indent + 2);
  const entries = Array.isArray(value)
    ? value.map((v) => `${pad}${compactJson(v, indent + 2, indent + 2, width)}`)
    : Object.entries(value).map(([k, v]) => `${pad}${JSON.stringify(k)}: ${compactJson(v, indent + 2, indent + 2 + k.length + 4, width)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${entries.join(',\n')}\n${' '.repeat(indent)}${close}`;
}

/** docs/configuration.md's policy file with every key at its default, as `new Policy()` has them. */
export const POLICY_DEFAULTS: GeneratedBlock = {
  file: 'docs/configuration.md',
  name: 'policy-defaults',
  render: () => `\`\`\`json\n${compactJson(JSON.parse(JSON.stringify(new Policy())))}\n\`\`\``,
};
