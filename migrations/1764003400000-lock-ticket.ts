import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `rd_ticket_counts(id)`: the counts a ticket's guards need (independent approvals, steps not passed, holding signals).
 * `rd_lock_ticket(id)`: the ticket row locked FOR UPDATE and, read after the lock, those counts: what
 * TicketTransitions.lock() then facts() read in two statements, in one round trip. The counts are a statement of their
 * own inside a VOLATILE function, which takes a fresh snapshot for each statement it runs: like the second of two
 * statements, they see whatever a transaction that held the row (an approval, a step, a signal: each takes a key-share
 * lock on the ticket through its foreign key) committed while this one waited for the lock. One statement with the
 * counts beside the locked row would read them from the snapshot taken before the wait, and miss exactly those.
 */
export class LockTicket1764003400000 implements MigrationInterface {
  name = 'LockTicket1764003400000';

  async up(q: QueryRunner): Promise<void> {
    // The counts alone, for a caller that wrote on the ticket's behalf after locking it (TicketTransitions.facts()).
    // Only independent approvals count (approvals.independent: false for the subject's manager chain on a critical ticket).
    // PL/pgSQL, not SQL: a SQL function called from FROM is planned anew on every call, a PL/pgSQL one keeps its plans.
    await q.query(`CREATE FUNCTION rd_ticket_counts(ticket_id uuid, OUT approvals int, OUT open_steps int, OUT holds int)
      LANGUAGE plpgsql STABLE AS $$
      BEGIN
        SELECT (SELECT count(*)::int FROM approvals a WHERE a.ticket_id = rd_ticket_counts.ticket_id AND a.decision = 'approve' AND a.independent),
               (SELECT count(*)::int FROM ticket_steps s WHERE s.ticket_id = rd_ticket_counts.ticket_id AND s.status <> 'passed'),
               (SELECT count(*)::int FROM ticket_signals g WHERE g.ticket_id = rd_ticket_counts.ticket_id AND g.holds AND g.cleared_at IS NULL)
          INTO approvals, open_steps, holds;
      END $$`);
    await q.query(`CREATE FUNCTION rd_lock_ticket(ticket_id uuid, OUT ticket tickets, OUT approvals int, OUT open_steps int, OUT holds int)
      RETURNS SETOF record LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        SELECT t.* INTO ticket FROM tickets t WHERE t.id = rd_lock_ticket.ticket_id FOR UPDATE;
        IF NOT FOUND THEN RETURN; END IF;
        SELECT c.approvals, c.open_steps, c.holds INTO approvals, open_steps, holds FROM rd_ticket_counts(rd_lock_ticket.ticket_id) c;
        RETURN NEXT;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION rd_lock_ticket(uuid)`);
    await q.query(`DROP FUNCTION rd_ticket_counts(uuid)`);
  }
}
