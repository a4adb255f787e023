import { useState, type ChangeEvent, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, Panel, Select, TextArea } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { DataTable, FormFooter, None } from './admin-ui';

type Report = Schemas['ImportReportDto'];
type Format = 'csv' | 'json';

const CSV_HEADER = 'externalId,displayName,tier,email,phone,managerExternalId,employeeNumber,costCentre';
/** Up to this many rows the report lists every row; beyond it, the rejected ones only. */
const EVERY_ROW_UP_TO = 200;

/** Directory import: a file (read in the browser) or pasted text, and the server's per-row report. */
export function AccountImport({ onImported, onCancel }: { onImported(): void; onCancel(): void }) {
  const [format, setFormat] = useState<Format>('csv');
  const [content, setContent] = useState('');
  const [fileNote, setFileNote] = useState<string>();
  const [report, setReport] = useState<Report>();
  const run = useAction(() => unwrap(api.POST('/v1/accounts/import', { body: { format, content } })));

  const readFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      setContent(String(reader.result ?? ''));
      if (/\.json$/i.test(file.name)) setFormat('json');
      else if (/\.csv$/i.test(file.name)) setFormat('csv');
      setFileNote(`Read ${file.name} (${file.size.toLocaleString()} bytes). Check it below, then import.`);
    };
    reader.onerror = () => setFileNote(`Could not read ${file.name}: ${reader.error?.message ?? 'unknown error'}`);
    reader.readAsText(file);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setReport(undefined);
    const result = await run.run();
    if (result) {
      setReport(result);
      onImported();
    }
  };

  return (
    <Panel title="Import from a directory export">
      <form onSubmit={submit} aria-label="Import accounts" className="adm-form">
        <p className="muted adm-note">
          CSV with a header row (<code>{CSV_HEADER}</code>) or a JSON array of the same objects. Idempotent on external id: a rejected row writes nothing, the
          others are written.
        </p>
        <div className="row">
          <Select
            label="Format"
            value={format}
            onChange={(e) => setFormat(e.target.value as Format)}
            options={[
              ['csv', 'CSV'],
              ['json', 'JSON'],
            ]}
          />
          <div className="field">
            <label htmlFor="adm-import-file">File</label>
            <input id="adm-import-file" type="file" accept=".csv,.json,text/csv,application/json" onChange={readFile} />
          </div>
        </div>
        {fileNote && <p className="muted adm-note">{fileNote}</p>}
        <TextArea label="Content (or paste it here)" value={content} onChange={(e) => setContent(e.target.value)} spellCheck={false} rows={8} />
        <FormFooter
          error={run.error}
          busy={run.busy}
          label="Import"
          busyLabel="Importing…"
          disabled={content.trim() === ''}
          onCancel={onCancel}
          cancelLabel="Close"
        />
      </form>
      {report && <ImportReport report={report} />}
    </Panel>
  );
}

function ImportReport({ report }: { report: Report }) {
  const rejected = new Map(report.rejected.map((r) => [r.row, r]));
  const rows = report.rows <= EVERY_ROW_UP_TO ? Array.from({ length: report.rows }, (_, i) => i + 1) : [...rejected.keys()];
  return (
    <section className="adm-report" aria-label="Import report">
      <h3>Report</h3>
      <p className="adm-badges">
        <Badge>{report.rows} rows</Badge>
        <Badge tone="ok">{report.created} created</Badge>
        <Badge tone="info">{report.updated} updated</Badge>
        <Badge>{report.unchanged} unchanged</Badge>
        <Badge tone={report.rejected.length ? 'danger' : 'neutral'}>{report.rejected.length} rejected</Badge>
      </p>
      {report.rows > EVERY_ROW_UP_TO && <p className="muted">Rows not listed below were accepted.</p>}
      {rows.length > 0 && (
        <DataTable label="Rows of the import" columns={['Row', 'External id', 'Outcome', 'Errors']}>
          {rows.map((row) => {
            const refusal = rejected.get(row);
            return (
              <tr key={row} className={refusal ? 'adm-row-bad' : undefined}>
                <td>{row}</td>
                <td>{refusal?.externalId ?? <None />}</td>
                <td>{refusal ? <Badge tone="danger">rejected</Badge> : <Badge tone="ok">accepted</Badge>}</td>
                <td>
                  {refusal ? (
                    <ul className="adm-errors">
                      {refusal.errors.map((error) => (
                        <li key={error}>{error}</li>
                      ))}
                    </ul>
                  ) : (
                    <None />
                  )}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}
