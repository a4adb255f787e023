import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { Badge, ErrorNote, formatTime, LoadState, Panel } from '../../components/ui';
import { useAction } from '../../components/use-load';
import { DataTable, MoreButton, None, PageHead, RefreshButton, ResultNotice } from './admin-ui';
import { useKeysetList } from './use-keyset';

type Message = Schemas['OutboxMessageDto'];
type Status = Message['status'];

/** Failed first: those are the ones waiting for an admin. */
const STATUSES: [Status, string][] = [
  ['failed', 'Failed'],
  ['pending', 'Pending'],
  ['sent', 'Sent'],
];
const STATUS_TONE: Record<Status, 'danger' | 'info' | 'ok'> = { failed: 'danger', pending: 'info', sent: 'ok' };

/** Admin: messages to people and where they stand (never what they say), and a resend for failed ones. */
export function OutboxPage() {
  const [params, setParams] = useSearchParams();
  const status = STATUSES.find(([s]) => s === params.get('status'))?.[0] ?? 'failed';
  const label = STATUSES.find(([s]) => s === status)![1];
  const [notice, setNotice] = useState<string>();
  const list = useKeysetList((cursor) => unwrap(api.GET('/v1/outbox', { params: { query: { status, cursor } } })), [status]);
  const resent = (message: Message) => {
    setNotice(
      `The ${message.template} ${message.channel === 'sms' ? 'SMS' : 'e-mail'} to ${message.recipient} is pending again: the relay will deliver it, with the same idempotency key.`,
    );
    void list.reload();
  };

  return (
    <div className="adm-page">
      <PageHead
        title="Outbox"
        intro="Messages to employees, managers and security, and where each stands. Their content stays sealed, so no body or link is shown here. A resent message says what it said when written: an expired code or link in it stays expired."
        actions={<RefreshButton list={list} />}
      />
      <div className="tabs" role="group" aria-label="Messages by status">
        {STATUSES.map(([s, text]) => (
          <button
            key={s}
            type="button"
            aria-pressed={s === status}
            onClick={() => {
              setNotice(undefined);
              setParams(s === 'failed' ? {} : { status: s });
            }}
          >
            {text}
          </button>
        ))}
      </div>
      <ResultNotice text={notice} />
      <Panel title={`${label} messages`}>
        <LoadState loaded={list.loaded} empty={(items) => items.length === 0 && `No ${label.toLowerCase()} messages.`}>
          {(items) => <OutboxTable label={`${label} messages`} items={items} resendable={status === 'failed'} onResent={resent} />}
        </LoadState>
        <MoreButton list={list} />
      </Panel>
    </div>
  );
}

const attemptsText = (n: number) => `${n} attempt${n === 1 ? '' : 's'}`;

/** On a phone each row becomes a card (styles.css); each cell says what it holds, so it reads without the header. */
function OutboxTable({ label, items, resendable, onResent }: { label: string; items: Message[]; resendable: boolean; onResent: (message: Message) => void }) {
  return (
    <DataTable label={label} className="obx-table" columns={['Message', 'To', 'Status', 'Last error', 'Times']} actions={resendable}>
      {items.map((m) => (
        <tr key={m.id}>
          <td>
            <span className="adm-action">{m.template}</span>
            <span className="obx-sub">
              {m.ticketId ? (
                <>
                  Ticket <span className="mono">{m.ticketId}</span>
                </>
              ) : (
                'No ticket'
              )}
            </span>
          </td>
          <td>
            {m.channel === 'sms' ? 'SMS' : 'E-mail'}
            <span className="obx-sub mono">{m.recipient}</span>
          </td>
          <td>
            <Badge tone={STATUS_TONE[m.status]}>{m.status}</Badge>
            <span className="obx-sub">{attemptsText(m.attempts)}</span>
          </td>
          <td className={m.lastError ? 'obx-error' : 'obx-error obx-empty'} data-label="Last error">
            {m.lastError ?? <None />}
          </td>
          <td className="obx-times">
            <span>Created {formatTime(m.createdAt)}</span>
            {m.sentAt && <span>Sent {formatTime(m.sentAt)}</span>}
            {m.failedAt && <span>Failed {formatTime(m.failedAt)}</span>}
          </td>
          {resendable && (
            <td>
              <Resend message={m} onResent={onResent} />
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
}

/** Resends one failed message; a refusal (no longer failed, unknown) stays beside its button. */
function Resend({ message, onResent }: { message: Message; onResent: (message: Message) => void }) {
  const resend = useAction(() => unwrap(api.POST('/v1/outbox/{id}/resend', { params: { path: { id: message.id } } })));
  return (
    <div className="obx-resend">
      <button
        type="button"
        aria-label={`Resend ${message.template} to ${message.recipient}`}
        disabled={resend.busy}
        onClick={async () => {
          const updated = await resend.run();
          if (updated) onResent(updated);
        }}
      >
        {resend.busy ? 'Resending…' : 'Resend'}
      </button>
      <ErrorNote error={resend.error} />
    </div>
  );
}
