import { Account } from '../../src/accounts/account.entity';
import type { TestApp } from './app';
import { eventually } from './wait';

/** How a caller authenticates: a staff token (bearer), or a console session's cookie, Origin and CSRF token. */
export type Auth = { Authorization: string } | Record<string, string>;
export const bearer = (token: string): Auth => ({ Authorization: `Bearer ${token}` });

/** The help desk's moves, as the agents, approvers, subjects and managers would make them over HTTP. */
export class Desk {
  constructor(private readonly t: TestApp) {}

  async open(agent: Auth, account: Account, extra: Record<string, unknown> = {}) {
    const res = await this.t
      .http()
      .post('/v1/tickets')
      .set(agent)
      .send({ accountId: account.id, channel: 'phone', reason: 'lost_device', ...extra });
    if (res.status !== 201) throw new Error(`open → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; state: string };
  }

  async claim(agent: Auth) {
    const res = await this.t.http().post('/v1/tickets/next').set(agent);
    if (res.status !== 200) throw new Error(`next → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; state: string; assignedTo: string; callback: Record<string, unknown> };
  }

  /** Sends the OTP to the subject's registered phone and returns what arrived there. */
  async sendOtp(agent: Auth, ticketId: string, account: Account): Promise<string> {
    const before = this.t.inbox().filter((m) => m.template === 'proofing.otp' && m.to === account.phone).length;
    const res = await this.t.http().post(`/v1/tickets/${ticketId}/steps/registered_channel_otp/start`).set(agent).send({ channel: 'sms' });
    if (res.status !== 200) throw new Error(`start otp → ${res.status} ${JSON.stringify(res.body)}`);
    const message = await eventually(() => this.t.inbox().filter((m) => m.template === 'proofing.otp' && m.to === account.phone)[before], 'the OTP sms');
    const otp = /code is (\d{6,8})/.exec(message.body)![1];
    this.t.secrets.add(otp);
    return otp;
  }

  submit(agent: Auth, ticketId: string, step: string, body: Record<string, unknown>) {
    return this.t.http().post(`/v1/tickets/${ticketId}/steps/${step}`).set(agent).send(body);
  }

  async passOtp(agent: Auth, ticketId: string, account: Account) {
    const otp = await this.sendOtp(agent, ticketId, account);
    return this.expectOk(await this.submit(agent, ticketId, 'registered_channel_otp', { code: otp }));
  }

  async passDirectory(agent: Auth, ticketId: string, account: Account) {
    return this.expectOk(await this.submit(agent, ticketId, 'directory_facts', { employeeNumber: account.employeeNumber, costCentre: account.costCentre }));
  }

  async passGovernmentId(agent: Auth, ticketId: string) {
    return this.expectOk(
      await this.submit(agent, ticketId, 'government_id', { documentType: 'passport', last4: '4F7K', note: 'photo matches, document valid' }),
    );
  }

  /** Sends the manager's link and has the manager answer it. */
  async managerAnswers(agent: Auth, ticketId: string, manager: Account, decision: 'confirm' | 'reject') {
    const before = this.t.inbox().filter((m) => m.template === 'proofing.attestation' && m.to === manager.email).length;
    this.expectOk(await this.t.http().post(`/v1/tickets/${ticketId}/steps/manager_attestation/start`).set(agent).send({}));
    const message = await eventually(
      () => this.t.inbox().filter((m) => m.template === 'proofing.attestation' && m.to === manager.email)[before],
      'the manager link',
    );
    const token = message.links[0].split('/a/')[1];
    this.t.secrets.add(token);
    const res = await this.t.http().post('/v1/links/attest').send({ token, decision });
    if (res.status !== 200) throw new Error(`attest → ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** The default privileged and critical steps, each passed: the OTP read back, the manager confirms, an ID check. */
  async passPrivilegedSteps(agent: Auth, ticketId: string, account: Account, manager: Account) {
    await this.passOtp(agent, ticketId, account);
    await this.managerAnswers(agent, ticketId, manager, 'confirm');
    return this.passGovernmentId(agent, ticketId);
  }

  approve(approver: Auth, ticketId: string, reason = 'proofing record complete') {
    return this.t.http().post(`/v1/tickets/${ticketId}/approve`).set(approver).send({ reason });
  }

  async state(ticketId: string): Promise<string> {
    const { rows } = await this.t.db.query('SELECT state FROM tickets WHERE id = $1', [ticketId]);
    return rows[0].state;
  }

  async waitFor(ticketId: string, state: string) {
    await eventually(async () => (await this.state(ticketId)) === state, `ticket ${ticketId} to be ${state}`);
  }

  /** The subject opens their delivery link and gets the new codes. */
  async redeem(account: Account): Promise<string[]> {
    const message = await eventually(() => this.t.inbox().find((m) => m.template === 'delivery.link' && m.to === account.email), 'the delivery link');
    const token = message.links[0].split('/r/')[1];
    this.t.secrets.add(token);
    const res = await this.t.http().post('/v1/deliveries/redeem').send({ token });
    if (res.status !== 200) throw new Error(`redeem → ${res.status}`);
    res.body.codes.forEach((c: string) => this.t.secrets.add(c));
    return res.body.codes;
  }

  cancelLink(account: Account, template = 'ticket.opened'): string {
    const message = this.t
      .inbox()
      .filter((m) => m.template === template && m.to === account.email)
      .pop();
    if (!message) throw new Error(`no ${template} message for ${account.email}`);
    const token = message.links[0].split('/c/')[1];
    this.t.secrets.add(token);
    return token;
  }

  private expectOk(res: { status: number; body: unknown }) {
    if (res.status !== 200) throw new Error(`→ ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; state: string };
  }
}
