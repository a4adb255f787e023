import { MigrationInterface, QueryRunner } from 'typeorm';

/** Social-engineering drills: their scenarios, the sink for what drill tickets would have sent, debriefs to staff. */
export class Drills1764000400000 implements MigrationInterface {
  name = 'Drills1764000400000';

  async up(q: QueryRunner): Promise<void> {
    // Never exposed to agents or approvers: what makes a drill a drill lives here and in `drills`.
    await q.query(`ALTER TABLE tickets ADD COLUMN is_drill boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE tickets ADD COLUMN debriefed_at timestamptz`);
    await q.query(`
      CREATE TABLE drills (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign text NOT NULL,
        name text NOT NULL,
        scenario jsonb NOT NULL,
        runner_id uuid NOT NULL REFERENCES staff(id),
        account_id uuid NOT NULL REFERENCES accounts(id),
        status text NOT NULL CHECK (status IN ('scheduled', 'running', 'resolved')),
        ticket_id uuid UNIQUE REFERENCES tickets(id),
        scheduled_for timestamptz NOT NULL,
        started_at timestamptz,
        outcome text CHECK (outcome IN ('passed', 'failed', 'inconclusive')),
        decided_step text,
        decided_by text,
        decided_at timestamptz,
        time_to_decision_ms bigint,
        debriefed_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX drills_campaign_idx ON drills (campaign, created_at)`);
    await q.query(`CREATE INDEX drills_pending_idx ON drills (status) WHERE status <> 'resolved' OR debriefed_at IS NULL`);
    await q.query(`
      CREATE TABLE drill_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES tickets(id),
        channel text NOT NULL,
        intended_for text NOT NULL,
        template text NOT NULL,
        sealed_body bytea NOT NULL,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX drill_messages_ticket_idx ON drill_messages (ticket_id, created_at)`);
    await q.query(`
      CREATE TABLE staff_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        staff_id uuid NOT NULL REFERENCES staff(id),
        subject text NOT NULL,
        body text NOT NULL,
        ticket_id uuid REFERENCES tickets(id),
        created_at timestamptz NOT NULL,
        UNIQUE (staff_id, ticket_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['staff_messages', 'drill_messages', 'drills']) await q.query(`DROP TABLE ${table}`);
    await q.query(`ALTER TABLE tickets DROP COLUMN debriefed_at`);
    await q.query(`ALTER TABLE tickets DROP COLUMN is_drill`);
  }
}
