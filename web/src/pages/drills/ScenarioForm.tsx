import { useId, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { ErrorNote, Field, formatTime, Panel, Select, TextArea } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { EXAMPLE_SCENARIOS } from './examples';
import { lineRange, readScenarioText } from './scenario-text';

type Drill = Schemas['DrillDto'];
type ScenarioBody = paths['/v1/drills']['post']['requestBody']['content']['application/json'];

/** The server names each field it refused: `{ field: 'answers.registered_channel_otp.says', pointer: '/answers/…', errors }`. */
interface FieldProblem {
  field: string;
  pointer?: string;
  errors: string[];
}

function fieldProblems(error: ApiError | undefined): FieldProblem[] {
  const fields = (error?.details as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields) ? (fields as FieldProblem[]) : [];
}

const MAX_FILE_BYTES = 256 * 1024;

/** Paste or upload a scenario; the server validates it against drills/scenario.schema.json and names each bad field. */
export function ScenarioForm({ onCreated }: { onCreated: (drill: Drill) => void }) {
  const [text, setText] = useState('');
  const [example, setExample] = useState('');
  const [fileError, setFileError] = useState<string>();
  const [created, setCreated] = useState<Drill>();
  const editor = useRef<HTMLDivElement>(null);
  const problemsId = useId();
  const read = useMemo(() => readScenarioText(text), [text]);
  const submit = useAction(async (scenario: unknown) => {
    const drill = await unwrap(api.POST('/v1/drills', { body: scenario as ScenarioBody }));
    setCreated(drill);
    onCreated(drill);
    return drill;
  });
  const problems = fieldProblems(submit.error);
  const generalError = submit.error && !problems.length ? submit.error : undefined;
  const syntax = text.trim() && !read.ok ? `Not valid JSON${read.line ? ` (line ${read.line}, column ${read.column})` : ''}: ${read.message}` : undefined;
  const notObject = read.ok && (typeof read.value !== 'object' || read.value === null || Array.isArray(read.value));

  const replaceText = (next: string) => {
    setText(next);
    setCreated(undefined);
    submit.clearError();
  };

  const chooseExample = (id: string) => {
    setExample(id);
    const chosen = EXAMPLE_SCENARIOS.find((e) => e.id === id);
    if (chosen) replaceText(JSON.stringify(chosen.scenario, null, 2));
  };

  const chooseFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = ''; // choosing the same file again reloads it
    setFileError(undefined);
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) return setFileError(`${file.name} is larger than a scenario can be (256 KB).`);
    const reader = new FileReader();
    reader.onload = () => {
      setExample('');
      replaceText(String(reader.result));
    };
    reader.onerror = () => setFileError(`${file.name} could not be read.`);
    reader.readAsText(file);
  };

  const showLine = (line: number) => {
    const area = editor.current?.querySelector('textarea');
    if (!area) return;
    area.focus();
    area.setSelectionRange(...lineRange(text, line));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    // Malformed JSON is the form's own business: nothing goes to the server.
    if (!read.ok || notObject) return showLine(read.ok ? 1 : (read.line ?? 1));
    void submit.run(read.value);
  };

  return (
    <Panel title="Submit a scenario">
      <form className="drl-scenario-form" onSubmit={onSubmit} noValidate>
        <div className="drl-scenario-editor" ref={editor}>
          <div className="drl-scenario-sources">
            <Select
              label="Load example"
              value={example}
              onChange={(e) => chooseExample(e.target.value)}
              options={[['', 'Choose an example…'], ...EXAMPLE_SCENARIOS.map((e): [string, string] => [e.id, e.title])]}
            />
            <Field label="Upload a scenario file" type="file" accept=".json,application/json" onChange={chooseFile} error={fileError} />
          </div>
          <TextArea
            label="Scenario JSON"
            value={text}
            onChange={(e) => replaceText(e.target.value)}
            rows={16}
            spellCheck={false}
            placeholder={'{\n  "name": "…",\n  "campaign": "…",\n  "target": { "tier": "standard" },\n  …\n}'}
            error={text.trim() ? (syntax ?? (notObject ? 'A scenario is a JSON object: { "name": …, "campaign": …, … }' : undefined)) : undefined}
            aria-invalid={syntax || notObject || problems.length ? true : undefined}
            aria-describedby={problems.length ? problemsId : undefined}
            required
          />
        </div>
        <div className="drl-scenario-side">
          {problems.length > 0 ? (
            <div id={problemsId} className="drl-problems" role="alert">
              <h3>The server refused this scenario</h3>
              <ul>
                {problems.map((p) => {
                  const line = read.ok && p.pointer !== undefined ? read.lineOf(p.pointer) : undefined;
                  return (
                    <li key={p.pointer ?? p.field} data-field={p.field}>
                      <code>{p.field}</code>: {p.errors.join('; ')}
                      {line !== undefined && (
                        <button type="button" className="link-button" onClick={() => showLine(line)} aria-label={`Show line ${line} (${p.field})`}>
                          line {line}
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </div>
          ) : (
            <div className="drl-help muted">
              <h3>What a scenario holds</h3>
              <p>
                Required: <code>name</code>, <code>campaign</code>, <code>target</code> (one of <code>accountId</code>, <code>externalId</code>,{' '}
                <code>tier</code>), <code>channel</code>, <code>reason</code>, <code>pretext</code>. Optional: <code>claims</code>, <code>answers</code> (the
                caller’s script per proofing step), <code>schedule</code>.
              </p>
              <p>The scenario is checked against drills/scenario.schema.json when you submit; each refused field is listed here.</p>
            </div>
          )}
          <ErrorNote error={generalError} />
          {created && (
            <p className="notice" role="status">
              Drill “{created.name}”{' '}
              {created.ticketId ? (
                <>
                  started: ticket <code>{created.ticketId}</code> is in the agents’ queue.
                </>
              ) : (
                <>is scheduled for {formatTime(created.scheduledFor)}.</>
              )}
            </p>
          )}
          <button type="submit" disabled={submit.busy || !text.trim()}>
            {submit.busy ? 'Starting…' : 'Start drill'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
