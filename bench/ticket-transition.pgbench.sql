-- One ticket transition as bare SQL: the pgbench baseline of `npm run bench -- tickets` (tickets.bench.ts runs it).
-- The shape of TicketTransitions.fire: lock the ticket row, update it, append an audit row and an outbox row, one
-- transaction. The pgb_* tables are copies of tickets, audit_events and outbox (LIKE … INCLUDING ALL: the same columns,
-- checks and indexes) made by the bench; client n (0-based) works on its own ticket, 00000000-0000-4000-8000-00000000000n,
-- as the bench's loops do. -D chain_lock=1 also takes one global advisory lock before the audit row, as the old audit
-- hash chain did (before the Merkle log); with chain_lock=0 nothing serialises the clients, as nothing serialises ours.
BEGIN;
SELECT id, state, version, assigned_to FROM pgb_tickets
 WHERE id = ('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid FOR UPDATE;
UPDATE pgb_tickets
   SET state = CASE state WHEN 'open' THEN 'proofing' ELSE 'open' END,
       assigned_to = CASE state WHEN 'open' THEN '00000000-0000-4000-8000-0000000000aa'::uuid END,
       state_changed_at = now(), due_at = now() + interval '60 minutes', version = version + 1
 WHERE id = ('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid;
\if :chain_lock
SELECT pg_advisory_xact_lock(1111838275);
\endif
INSERT INTO pgb_audit_events (seq, occurred_at, actor_kind, actor_id, action, target_type, target_id, payload)
VALUES (nextval('pgb_audit_seq'), now(), 'staff', '00000000-0000-4000-8000-0000000000aa', 'ticket.claim', 'ticket',
        '00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'),
        jsonb_build_object('from', 'open', 'to', 'proofing', 'accountId', gen_random_uuid()));
INSERT INTO pgb_outbox (idempotency_key, channel, recipient, template, sealed_body, created_at)
VALUES ('ticket.transition:' || gen_random_uuid(), 'email', 'b000001@example.com', 'ticket.transition',
        convert_to(repeat(md5(random()::text), 8), 'UTF8'), now());
END;
