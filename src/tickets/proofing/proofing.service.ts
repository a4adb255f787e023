import { createHmac, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { Account } from '../../accounts/account.entity';
import { AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { constantTimeEqual } from '../../common/crypto';
import { Conflict, Forbidden, Gone, InvalidInput, ManagerChainViolation, ValidationFailed } from '../../common/errors';
import { fieldErrors } from '../../common/validation';
import type { Env } from '../../config/env.validation';
import { Policy } from '../../config/policy';
import { Notifier } from '../../notifications/notifier';
import { Staff } from '../../staff/staff.entity';
import { refuseUnfitTicketActor } from '../../staff/staff-rules';
import { RiskService } from '../risk/risk.service';
import { drillRunnerRefusal, managerChainRefusal } from '../separation-of-duties';
import { asManager, asStaff, asSystem } from '../ticket-actor';
import { LINK_NOT_VALID, TicketLinks } from '../ticket-links.service';
import { TicketStep } from '../ticket-step.entity';
import { TicketTransitions } from '../ticket-transitions.service';
import { Ticket } from '../ticket.entity';
import { DirectoryFactsEvidenceDto, GovernmentIdEvidenceDto, OtpEvidenceDto, StartStepDto, VideoCallEvidenceDto } from './step-evidence.dto';
import { PROOFING_STEPS, ProofingStep } from './step-catalogue';

const EVIDENCE: Partial<Record<ProofingStep, new () => object>> = {
  registered_channel_otp: OtpEvidenceDto,
  directory_facts: DirectoryFactsEvidenceDto,
  government_id: GovernmentIdEvidenceDto,
  video_call: VideoCallEvidenceDto,
};

const normalise = (value: string | null | undefined) => (value ?? '').trim().toUpperCase().replace(/\s+/g, ' ');

/**
 * Runs the identity checks. System-verified steps are decided by the service
 * (an OTP sent to the REGISTERED channel, the manager on file, the directory);
 * a failure denies the ticket and alerts security. Attested steps record the
 * agent's evidence. When every required step has passed the ticket moves on.
 */
@Injectable()
export class ProofingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: TicketTransitions,
    private readonly links: TicketLinks,
    private readonly notifier: Notifier,
    private readonly audit: AuditService,
    private readonly risk: RiskService,
    private readonly policy: Policy,
    private readonly clock: Clock,
    private readonly config: ConfigService<Env, true>,
  ) {}

  /** Sends the one-time code or the manager's link for a step. */
  start(staff: Staff, ticketId: string, stepName: string, body: StartStepDto): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const { ticket, step, account } = await this.workingStep(em, staff, ticketId, stepName);
      const now = this.clock.now();
      if (step.step === 'registered_channel_otp') {
        if (step.sends >= this.policy.otp.maxSends) throw new Conflict(`no more codes can be sent for this ticket (limit ${this.policy.otp.maxSends})`);
        const channel = body.channel ?? 'sms';
        const otp = String(randomInt(10 ** this.policy.otp.digits)).padStart(this.policy.otp.digits, '0');
        const expiresAt = new Date(now.getTime() + this.policy.otp.ttlMinutes * 60_000);
        await em.query(
          // attempts are not reset: the read-back limit counts per ticket, not per code sent.
          `UPDATE ticket_steps SET status = 'sent', sends = sends + 1, secret_hash = $2, sent_to = $3, expires_at = $4 WHERE id = $1`,
          [step.id, this.otpHash(ticket.id, otp), channel, expiresAt],
        );
        // To the REGISTERED channel only: the number the caller gave is never used.
        await this.notifier.toSubject(
          em,
          account,
          'proofing.otp',
          { otp, minutes: this.policy.otp.ttlMinutes },
          `proofing.otp:${step.id}:${step.sends + 1}`,
          [channel],
          {
            ticketId: ticket.id,
          },
        );
        await this.record(em, staff, ticket, 'ticket.step_started', { step: step.step, sentTo: channel, expiresAt: expiresAt.toISOString() });
      } else if (step.step === 'manager_attestation') {
        if (step.status === 'sent' && step.expiresAt && step.expiresAt > now) throw new Conflict('the manager’s link was already sent and is still valid');
        const manager = account.managerId ? await em.findOneBy(Account, { id: account.managerId, status: 'active' }) : null;
        if (!manager) throw new Conflict('no active manager on file for this account: this step cannot be completed; deny or escalate');
        const link = await this.links.issueAttestationLink(em, ticket);
        const expiresAt = new Date(now.getTime() + this.policy.attestation.ttlMinutes * 60_000);
        await em.query(`UPDATE ticket_steps SET status = 'sent', sends = sends + 1, sent_to = 'manager', expires_at = $2 WHERE id = $1`, [step.id, expiresAt]);
        await this.notifier.toSubject(
          em,
          manager,
          'proofing.attestation',
          { subjectName: account.displayName, channel: ticket.channel, at: ticket.createdAt.toISOString(), link },
          `proofing.attestation:${step.id}:${step.sends + 1}`,
          ['email'],
          { ticketId: ticket.id, as: 'manager' },
        );
        await this.record(em, staff, ticket, 'ticket.step_started', { step: step.step, sentTo: 'manager', expiresAt: expiresAt.toISOString() });
      } else {
        throw new Conflict(`${step.step} has nothing to send: submit its evidence`);
      }
      return ticket;
    });
  }

  /** The agent submits what the caller said, or the evidence they checked. */
  async submit(staff: Staff, ticketId: string, stepName: string, body: Record<string, unknown>): Promise<Ticket> {
    const evidenceType = EVIDENCE[stepName as ProofingStep];
    if (stepName === 'manager_attestation') throw new Conflict('the manager answers this step through their own link');
    if (!evidenceType) throw new InvalidInput('step', `must be one of ${PROOFING_STEPS.join(', ')}`);
    const evidence = plainToInstance(evidenceType, body);
    const errors = await validate(evidence, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) throw new ValidationFailed(fieldErrors(errors));

    return this.dataSource.transaction(async (em) => {
      const { ticket, step, account } = await this.workingStep(em, staff, ticketId, stepName);
      if (step.status === 'passed') throw new Conflict(`${step.step} has already passed`);
      switch (step.step) {
        case 'registered_channel_otp':
          return this.checkOtp(em, staff, ticket, step, (evidence as OtpEvidenceDto).code);
        case 'directory_facts': {
          const facts = evidence as DirectoryFactsEvidenceDto;
          // A fact with no value on file proves nothing (an empty answer would match it): the employee number must be
          // on file, and a cost centre that is not is skipped, with the reason in the evidence.
          if (normalise(account.employeeNumber) === '') {
            return this.decide(
              em,
              staff,
              ticket,
              step,
              false,
              { matched: false, unavailable: 'no employee number on file' },
              'no employee number is on file for this account: this step cannot pass',
            );
          }
          const costCentreOnFile = normalise(account.costCentre) !== '';
          const matches =
            constantTimeEqual(normalise(facts.employeeNumber), normalise(account.employeeNumber)) &&
            (!costCentreOnFile || constantTimeEqual(normalise(facts.costCentre), normalise(account.costCentre)));
          const recorded = { matched: matches, ...(!costCentreOnFile && { skipped: 'costCentre: no value on file' }) };
          return this.decide(em, staff, ticket, step, matches, recorded, 'the directory facts given did not match');
        }
        case 'government_id': {
          const id = evidence as GovernmentIdEvidenceDto;
          return this.decide(em, staff, ticket, step, true, { documentType: id.documentType, last4: id.last4.toUpperCase(), note: id.note });
        }
        case 'video_call': {
          const call = evidence as VideoCallEvidenceDto;
          return this.decide(em, staff, ticket, step, true, { note: call.note, minutes: call.minutes ?? null });
        }
        default:
          throw new Conflict(`${step.step} cannot be submitted by an agent`);
      }
    });
  }

  /** The manager's answer through their one-time link. */
  attest(token: string, decision: 'confirm' | 'reject'): Promise<Ticket> {
    return this.dataSource.transaction(async (em) => {
      const ticketId = await this.links.consume(em, token, 'attest');
      if (!ticketId) throw new Gone(LINK_NOT_VALID);
      const ticket = await this.transitions.lock(em, ticketId);
      // A closed ticket's link answers like an unknown one: the holder of an old link learns nothing of the outcome.
      if (ticket.state !== 'proofing') throw new Gone(LINK_NOT_VALID);
      const step = await em.findOneByOrFail(TicketStep, { ticketId, step: 'manager_attestation' });
      const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
      const manager = { kind: 'manager' as const, id: account.managerId ?? 'unknown' };
      return this.decideAs(em, manager, ticket, step, decision === 'confirm', { decision }, 'the manager on file rejected the request');
    });
  }

  private async checkOtp(em: EntityManager, staff: Staff, ticket: Ticket, step: TicketStep, code: string): Promise<Ticket> {
    const [row] = (await em.query(`SELECT secret_hash, expires_at, attempts, status FROM ticket_steps WHERE id = $1`, [step.id])) as {
      secret_hash: string | null;
      expires_at: Date | null;
      attempts: number;
      status: string;
    }[];
    if (row.status !== 'sent' || !row.secret_hash) throw new Conflict('no code is waiting to be read back: send one first');
    if (!row.expires_at || row.expires_at <= this.clock.now()) throw new Gone('the code has expired: send a new one');
    const attempts = row.attempts + 1;
    if (constantTimeEqual(this.otpHash(ticket.id, code), row.secret_hash)) {
      return this.decide(em, staff, ticket, step, true, { attempts });
    }
    if (attempts >= this.policy.otp.maxAttempts) {
      return this.decide(em, staff, ticket, step, false, { attempts }, `the code from the registered channel was read back wrong ${attempts} times`);
    }
    await em.query(`UPDATE ticket_steps SET attempts = $2 WHERE id = $1`, [step.id, attempts]);
    await this.record(em, staff, ticket, 'ticket.step_attempt_failed', { step: step.step, attempts });
    return ticket;
  }

  private decide(em: EntityManager, staff: Staff, ticket: Ticket, step: TicketStep, passed: boolean, evidence: Record<string, unknown>, why?: string) {
    return this.decideAs(em, { kind: 'staff', id: staff.id }, ticket, step, passed, evidence, why);
  }

  /** Records a step's outcome; a failed system-verified step denies the ticket, the last pass moves it on. */
  private async decideAs(
    em: EntityManager,
    by: { kind: 'staff' | 'manager'; id: string },
    ticket: Ticket,
    step: TicketStep,
    passed: boolean,
    evidence: Record<string, unknown>,
    why?: string,
  ): Promise<Ticket> {
    const now = this.clock.now();
    await em.query(
      `UPDATE ticket_steps SET status = $2, evidence = $3, decided_by = $4, decided_at = $5, secret_hash = NULL, attempts = COALESCE(($3::jsonb ->> 'attempts')::int, attempts) WHERE id = $1`,
      [step.id, passed ? 'passed' : 'failed', evidence, `${by.kind}:${by.id}`, now],
    );
    await this.audit.record(em, {
      actor: by,
      action: passed ? 'ticket.step_passed' : 'ticket.step_failed_check',
      target: { type: 'ticket', id: ticket.id },
      payload: { step: step.step, ...(step.step === 'directory_facts' || step.step === 'registered_channel_otp' ? {} : { evidence }) },
    });
    if (!passed) return this.transitions.fire(em, ticket, 'step_failed', asSystem(), { detail: { step: step.step }, why });
    if (!(await this.transitions.facts(em, ticket)).allStepsPassed) return ticket;
    // Before approval, the signals again: a channel changed since opening adds steps (standard) or holds the ticket.
    await this.risk.evaluate(em, ticket);
    if (!(await this.transitions.facts(em, ticket)).allStepsPassed) return ticket;
    return this.transitions.fire(em, ticket, 'steps_passed', by.kind === 'manager' ? asManager(by.id) : asSystem());
  }

  /** The ticket (locked), the step, and the account, for the agent working the ticket. */
  private async workingStep(em: EntityManager, staff: Staff, ticketId: string, stepName: string) {
    refuseUnfitTicketActor(staff);
    const ticket = await this.transitions.lock(em, ticketId);
    if (ticket.state !== 'proofing') {
      throw new Conflict(`proofing steps run while a ticket is proofing; this one is ${ticket.state}`, { state: ticket.state });
    }
    if (ticket.assignedTo !== staff.id) throw new Forbidden('only the agent working this ticket can run its steps');
    const drillRefusal = drillRunnerRefusal(staff, ticket);
    if (drillRefusal) throw new Forbidden(drillRefusal);
    // The reporting line may have changed since the claim: the subject's manager never proofs their report.
    const inLine = managerChainRefusal(staff, await this.risk.managerChainOf(em, ticket.accountId));
    if (inLine) throw new ManagerChainViolation(inLine);
    if (!ticket.requiredSteps.includes(stepName as ProofingStep)) {
      throw new InvalidInput('step', `is not required for this ticket (required: ${ticket.requiredSteps.join(', ')})`);
    }
    const step = await em.findOneByOrFail(TicketStep, { ticketId, step: stepName as ProofingStep });
    const account = await em.findOneByOrFail(Account, { id: ticket.accountId });
    return { ticket, step, account };
  }

  private async record(em: EntityManager, staff: Staff, ticket: Ticket, action: string, payload: Record<string, unknown>): Promise<void> {
    await this.audit.record(em, { actor: asStaff(staff, 'agent').audit, action, target: { type: 'ticket', id: ticket.id }, payload });
  }

  /** One-time codes are short, so they are keyed (HMAC with the server pepper) rather than plainly hashed. */
  private otpHash(ticketId: string, otp: string): string {
    return createHmac('sha256', this.config.get('CODE_PEPPER', { infer: true }))
      .update(`${ticketId}:${otp}`)
      .digest('hex');
  }
}
