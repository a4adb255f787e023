/** Reading a pasted scenario: JSON syntax errors with their line and column, and the line each value sits on. */

export type ScenarioText = { ok: true; value: unknown; lineOf: (pointer: string) => number } | { ok: false; message: string; line?: number; column?: number };

/** 1-based line and column of a character offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * Chromium words JSON errors as `… in JSON at position 41 (line 3 column 5)`; other engines differ, so
 * the position falls back to where the scanner below stops.
 */
function syntaxError(text: string, error: Error): ScenarioText & { ok: false } {
  const message = error.message.replace(/\s*(in JSON )?at position \d+( \(line \d+ column \d+\))?/, '').replace(/, .*is not valid JSON$/s, '');
  const lineColumn = /line (\d+) column (\d+)/.exec(error.message);
  if (lineColumn) return { ok: false, message, line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(error.message);
  if (position) return { ok: false, message, ...positionOf(text, Number(position[1])) };
  return { ok: false, message, ...positionOf(text, /^Unexpected end/.test(error.message) ? text.length : scanLines(text).stoppedAt) };
}

const escapeSegment = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Walks JSON text recording, for each value's JSON Pointer, the line it starts on (an object member:
 * the line of its key). On malformed text it stops where the text stops making sense.
 */
function scanLines(text: string): { lines: Map<string, number>; stoppedAt: number } {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const skipSpace = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) if (text[i++] === '\n') line += 1;
  };
  const readString = (): string => {
    if (text[i] !== '"') throw new Error('expected a string');
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (pointer: string): void => {
    skipSpace();
    if (!lines.has(pointer)) lines.set(pointer, line);
    const open = text[i];
    if (open === '"') return void readString();
    if (open !== '{' && open !== '[') {
      const literal = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
      if (!literal) throw new Error('expected a value');
      i += literal[0].length;
      return;
    }
    const close = open === '{' ? '}' : ']';
    i += 1;
    skipSpace();
    for (let index = 0; text[i] !== close; index += 1) {
      if (i >= text.length) throw new Error('unterminated');
      let child = `${pointer}/${index}`;
      if (open === '{') {
        const keyLine = line;
        child = `${pointer}/${escapeSegment(readString())}`;
        lines.set(child, keyLine);
        skipSpace();
        if (text[i] !== ':') throw new Error('expected a colon');
        i += 1;
      }
      readValue(child);
      skipSpace();
      if (text[i] === ',') i += 1;
      else if (text[i] !== close) throw new Error('expected a comma');
      skipSpace();
    }
    i += 1;
  };
  try {
    readValue('');
  } catch {
    // malformed: `i` is where it went wrong
  }
  return { lines, stoppedAt: Math.min(i, text.length) };
}

export function readScenarioText(text: string): ScenarioText {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return syntaxError(text, error as Error);
  }
  const { lines } = scanLines(text);
  return {
    ok: true,
    value,
    // A missing property has no line of its own: it belongs to the object that lacks it.
    lineOf: (pointer) => {
      let at = pointer;
      while (!lines.has(at) && at) at = at.slice(0, at.lastIndexOf('/'));
      return lines.get(at) ?? 1;
    },
  };
}

/** Character offsets of a 1-based line, to select it in the textarea. */
export function lineRange(text: string, line: number): [number, number] {
  let start = 0;
  for (let n = 1; n < line; n += 1) {
    const next = text.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  return [start, end < 0 ? text.length : end];
}
