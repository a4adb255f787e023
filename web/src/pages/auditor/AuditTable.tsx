import type { Schemas } from '../../api/client';
import { Badge, formatTime } from '../../components/ui';
import { DataTable } from '../admin/admin-ui';
import type { AuditFilter } from './AuditFilters';

type AuditEvent = Schemas['AuditEventDto'];

/** A long id, short on screen (whole in its title), that filters the trail by itself when clicked. */
function FilterBy({ id, by, onFilter }: { id: string; by: 'target' | 'actor'; onFilter(change: Partial<AuditFilter>): void }) {
  return (
    <button
      type="button"
      className="link-button adm-id"
      title={`${id}: show only events with this ${by}`}
      aria-label={`Filter by ${by} ${id}`}
      onClick={() => onFilter({ [by]: id })}
    >
      {id.length > 13 ? `${id.slice(0, 8)}…` : id}
    </button>
  );
}

export function AuditTable({ events, brokenSeq, onFilter }: { events: AuditEvent[]; brokenSeq?: number; onFilter(change: Partial<AuditFilter>): void }) {
  return (
    <DataTable label="Audit events" columns={['Seq', 'Time', 'Actor', 'Action', 'Target', 'Payload']} className="adm-audit">
      {events.map((event) => {
        const broken = event.seq === brokenSeq;
        return (
          <tr key={event.seq} className={broken ? 'adm-row-broken' : undefined} aria-label={broken ? `Event ${event.seq}: first broken link` : undefined}>
            <td className="adm-nowrap">
              <strong>#{event.seq}</strong>
              {broken && (
                <>
                  {' '}
                  <Badge tone="danger">broken</Badge>
                </>
              )}
            </td>
            <td className="adm-nowrap">{formatTime(event.occurredAt)}</td>
            <td className="adm-nowrap">
              <Badge>{event.actorKind}</Badge>{' '}
              {event.actorId &&
                (event.actorKind === 'staff' ? (
                  <FilterBy id={event.actorId} by="actor" onFilter={onFilter} />
                ) : (
                  <code title={event.actorId}>{event.actorId.slice(0, 8)}</code>
                ))}
            </td>
            <td>
              <button type="button" className="link-button adm-action" title="Show only this action" onClick={() => onFilter({ action: event.action })}>
                {event.action}
              </button>
            </td>
            <td className="adm-nowrap">
              {event.targetType} {event.targetId && <FilterBy id={event.targetId} by="target" onFilter={onFilter} />}
            </td>
            <td className="adm-payload">
              <code>{JSON.stringify(event.payload)}</code>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
