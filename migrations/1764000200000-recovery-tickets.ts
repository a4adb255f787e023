import { MigrationInterface, QueryRunner } from 'typeorm';

/** Recovery tickets, their proofing steps, approvals and one-time links. */
export class RecoveryTickets1764000200000 implements MigrationInterface {
  name = 'RecoveryTickets1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tickets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id),
        state text NOT NULL CHECK (state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'completed', 'denied', 'cancelled', 'expired', 'failed')),
        tier text NOT NULL CHECK (tier IN ('standard', 'privileged', 'critical')),
        tier_rank smallint NOT NULL,
        channel text NOT NULL CHECK (channel IN ('phone', 'chat', 'walk_in', 'email', 'self_service')),
        reason text NOT NULL CHECK (reason IN ('lost_device', 'app_deleted', 'new_phone', 'codes_used_up', 'exposure')),
        callback jsonb NOT NULL DEFAULT '{}',
        notes text,
        required_steps text[] NOT NULL,
        approvals_required int NOT NULL,
        cooling_off_minutes int NOT NULL,
        opened_by text NOT NULL,
        assigned_to uuid REFERENCES staff(id),
        created_at timestamptz NOT NULL,
        state_changed_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        regenerate_after timestamptz,
        version int NOT NULL DEFAULT 1
      )`);
    // The agents' queue: by tier (critical first), then how close the SLA is; keyset-paged on the same key.
    await q.query(`CREATE INDEX tickets_queue_idx ON tickets (state, tier_rank, due_at, id)`);
    await q.query(`CREATE INDEX tickets_account_idx ON tickets (account_id, created_at)`);
    // One recovery in flight per account: a second call while one is open is the same request (or an attack).
    await q.query(
      `CREATE UNIQUE INDEX tickets_one_active ON tickets (account_id) WHERE state IN ('open', 'proofing', 'awaiting_approval', 'approved', 'regenerating', 'failed')`,
    );
    await q.query(`CREATE INDEX tickets_due_idx ON tickets (due_at) WHERE state IN ('open', 'proofing', 'awaiting_approval')`);

    await q.query(`
      CREATE TABLE ticket_steps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        step text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'passed', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        sends int NOT NULL DEFAULT 0,
        secret_hash text,
        sent_to text,
        expires_at timestamptz,
        evidence jsonb,
        decided_by text,
        decided_at timestamptz,
        UNIQUE (ticket_id, step)
      )`);

    await q.query(`
      CREATE TABLE approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        approver_id uuid NOT NULL REFERENCES staff(id),
        decision text NOT NULL CHECK (decision IN ('approve', 'deny')),
        reason text NOT NULL,
        created_at timestamptz NOT NULL,
        UNIQUE (ticket_id, approver_id)
      )`);

    await q.query(`
      CREATE TABLE ticket_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        purpose text NOT NULL CHECK (purpose IN ('cancel', 'attest')),
        token_hash char(64) NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX ticket_links_ticket_idx ON ticket_links (ticket_id, purpose)`);

    await q.query(`ALTER TABLE reissue_requests ADD CONSTRAINT reissue_requests_ticket_fk FOREIGN KEY (ticket_id) REFERENCES tickets(id)`);
    await q.query(`ALTER TABLE code_sets ADD CONSTRAINT code_sets_ticket_fk FOREIGN KEY (issuing_ticket_id) REFERENCES tickets(id)`);
    // One set per ticket: a duplicated or retried regeneration can never issue twice.
    await q.query(`CREATE UNIQUE INDEX code_sets_one_per_ticket ON code_sets (issuing_ticket_id) WHERE issuing_ticket_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX code_sets_one_per_ticket`);
    await q.query(`ALTER TABLE code_sets DROP CONSTRAINT code_sets_ticket_fk`);
    await q.query(`ALTER TABLE reissue_requests DROP CONSTRAINT reissue_requests_ticket_fk`);
    for (const table of ['ticket_links', 'approvals', 'ticket_steps', 'tickets']) await q.query(`DROP TABLE ${table}`);
  }
}
