import type { Locator, Page } from 'playwright-core';
import { TICKET_STATES } from '../../src/tickets/ticket.machine';
import type { TestApp } from './app';
import type { Auth } from './desk';

/**
 * The leak check: everything an agent or an approver can get about a drill ticket, compared with a real ticket in the
 * same state, that entered the same way (the same intake identity, the same channel and reason, callback details and
 * notes of the same kinds). It fails on
 *   - any field only one of them carries (every key path of every response, arrays included);
 *   - any value only the drill shows: every value is compared after replacing what differs by nature with what it
 *     stands for (the ticket's own id, its account's id, times as their offsets from the ticket's opening, sequence
 *     numbers as their order); the remaining free text (caller's words and callback, the subject's name and masked
 *     channels, a signal's reason quoting them) may differ but never carries the drill's tell-tales;
 *   - any of the drill's tell-tales anywhere: the drill runner's id or name, the scenario's name, campaign and
 *     pretext, the word "drill", third-person attack wording in the notes;
 *   - and, given a browser page signed in as the same person, any difference in the console's DOM structure.
 */
export interface LeakCheckTicket {
  ticketId: string;
  accountId: string;
}

export interface LeakCheckInput {
  t: TestApp;
  /** The agent or approver looking. */
  as: Auth;
  /** An admin, for the held list (the only staff view of tickets agents and approvers do not get themselves). */
  admin: Auth;
  drill: LeakCheckTicket & { runner: { id: string; name: string }; scenario: { name: string; campaign: string; pretext: string; claims?: { notes?: string } } };
  real: LeakCheckTicket;
  /** The console, signed in as `as`: the ticket page (and, for an approver, the inbox) are compared structurally. */
  page?: Page;
  role?: 'agent' | 'approver';
}

type Leaf = string | number | boolean | null;

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** Leaves whose values differ by nature between two tickets (who the subject is, what the caller said). */
const BY_NATURE = [
  /(^|\.)notes$/,
  /(^|\.)callback\.(name|phone|email)$/,
  /(^|\.)account\.(externalId|displayName|email|phone)$/,
  /(^|\.)signals\.\d+\.(reason|basis)$/,
  /(^|\.)payload\.(reason|basis|notOnFile(\.\d+)?)$/,
];
/** How a drill's own description of the attack would read if it reached the notes. */
const THIRD_PERSON = /\b(impostor|victim|attacker|pretext|scenario|social[- ]engineering|the caller)\b/i;

/** Every leaf of a JSON value by its path (`a.b.0.c`), keys sorted. */
export function leaves(value: unknown, path = '', out = new Map<string, Leaf>()): Map<string, Leaf> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(`${path}[]`, null);
    value.forEach((v, i) => leaves(v, path ? `${path}.${i}` : `${i}`, out));
  } else if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) out.set(`${path}{}`, null);
    for (const [k, v] of entries) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, value as Leaf);
  return out;
}

/** A response with what differs by nature replaced by what it stands for. */
function normalise(value: unknown, own: LeakCheckTicket, openedAt: number): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  for (const [path, leaf] of leaves(value)) {
    let v: Leaf = leaf;
    if (typeof v === 'string' && v === own.ticketId) v = '<this ticket>';
    else if (typeof v === 'string' && v === own.accountId) v = '<its account>';
    else if (typeof v === 'string' && DATE_TIME.test(v)) v = `<opened ${Math.sign(Date.parse(v) - openedAt) >= 0 ? '+' : '-'}>`;
    else if (/(^|\.)seq$/.test(path)) v = '<seq>';
    else if (BY_NATURE.some((re) => re.test(path))) v = v === null ? null : `<${typeof v}>`;
    out.set(path, v);
  }
  return out;
}

/** What an agent or approver can get about one ticket, over HTTP. */
async function responses(t: TestApp, who: Auth, admin: Auth, ticketId: string): Promise<Record<string, unknown>> {
  const ticket = (await t.http().get(`/v1/tickets/${ticketId}`).set(who).expect(200)).body as { state: string };
  const find = async (query: string, as: Auth) => {
    let cursor: string | null = null;
    do {
      const page = (
        await t
          .http()
          .get(`/v1/tickets${query}`)
          .query(cursor ? { cursor, limit: 100 } : { limit: 100 })
          .set(as)
          .expect(200)
      ).body as { items: { id: string }[]; nextCursor: string | null };
      const hit = page.items.find((i) => i.id === ticketId);
      if (hit) return hit;
      cursor = page.nextCursor;
    } while (cursor);
    return 'absent';
  };
  return {
    ticket,
    queueByState: await find(`?state=${ticket.state}`, who),
    queueLive: await find('', who),
    timeline: (await t.http().get(`/v1/tickets/${ticketId}/events`).set(who).expect(200)).body,
    held: await find('/held', admin),
  };
}

/**
 * A screen's structure with the values stripped (test/console-desk.e2e-spec.ts compares with it too): every element's
 * tag, the fixed words (headings, labels, buttons, terms) and field names.
 */
export function structure(root: Locator): Promise<string[]> {
  return root.evaluate((element) => {
    const fixedText = new Set(['H2', 'H3', 'H4', 'LABEL', 'BUTTON', 'DT', 'TH']);
    const lines: string[] = [];
    const walk = (node: Element, depth: number) => {
      let line = `${' '.repeat(depth)}${node.tagName.toLowerCase()}`;
      if (fixedText.has(node.tagName) && !node.querySelector('a')) line += ` "${node.textContent?.trim()}"`;
      if (node instanceof HTMLInputElement || node instanceof HTMLSelectElement || node instanceof HTMLTextAreaElement)
        line += ` name=${node.name} type=${node.type}`;
      if (node instanceof HTMLButtonElement) line += node.disabled ? ' disabled' : ' enabled';
      lines.push(line);
      for (const child of Array.from(node.children)) walk(child, depth + 1);
    };
    walk(element, 0);
    return lines;
  });
}

function tellTales(input: LeakCheckInput): (string | RegExp)[] {
  const { drill } = input;
  return [drill.runner.id, drill.runner.name, drill.scenario.name, drill.scenario.campaign, drill.scenario.pretext, /drill/i];
}

function findTellTale(text: string, tales: (string | RegExp)[]): string | RegExp | undefined {
  return tales.find((tale) => (typeof tale === 'string' ? tale.length > 0 && text.includes(tale) : tale.test(text)));
}

/** Runs the check; throws with every difference found (an empty list passes). */
export async function leakCheck(input: LeakCheckInput): Promise<void> {
  const { t, as, admin, drill, real, page, role } = input;
  const problems: string[] = [];
  const got = {
    drill: await responses(t, as, admin, drill.ticketId),
    real: await responses(t, as, admin, real.ticketId),
  };
  const openedAt = (r: Record<string, unknown>) => Date.parse((r.ticket as { createdAt: string }).createdAt);
  const a = normalise(got.real, real, openedAt(got.real));
  const b = normalise(got.drill, drill, openedAt(got.drill));
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    if (!a.has(path)) problems.push(`only the drill ticket carries ${path} (= ${JSON.stringify(b.get(path))})`);
    else if (!b.has(path)) problems.push(`only the real ticket carries ${path}`);
    else if (a.get(path) !== b.get(path))
      problems.push(`${path}: the drill shows ${JSON.stringify(b.get(path))}, the real ticket ${JSON.stringify(a.get(path))}`);
  }

  // The values that differ by nature: their distributions. Times: the same offsets the policy fixes.
  const sla = (r: Record<string, unknown>) => {
    const tk = r.ticket as { dueAt: string; stateChangedAt: string };
    return Date.parse(tk.dueAt) - Date.parse(tk.stateChangedAt);
  };
  if (sla(got.drill) !== sla(got.real)) problems.push(`dueAt − stateChangedAt: the drill shows ${sla(got.drill)} ms, the real ticket ${sla(got.real)} ms`);
  const now = Date.now();
  for (const [path, leaf] of leaves(got.drill)) {
    if (typeof leaf === 'string' && DATE_TIME.test(leaf) && !/dueAt|expiresAt|regenerateAfter/.test(path) && Date.parse(leaf) > now + 60_000)
      problems.push(`${path} lies in the future (${leaf})`);
  }
  // Actors: who opened it is an intake identity real calls come in by, the same one as the real ticket's.
  const opener = (r: Record<string, unknown>) =>
    (r.timeline as { action: string; actorKind: string; actorId: string | null }[]).find((e) => e.action === 'ticket.opened');
  if (JSON.stringify(opener(got.drill)) === undefined || opener(got.drill)?.actorId !== opener(got.real)?.actorId) {
    problems.push(`ticket.opened actor: the drill shows ${JSON.stringify(opener(got.drill))}, the real ticket ${JSON.stringify(opener(got.real))}`);
  }
  // Notes: the caller's own words, or none, never the drill runner's description.
  const notes = (got.drill.ticket as { notes: string | null }).notes;
  if (notes !== (drill.scenario.claims?.notes ?? null)) problems.push(`notes are not the scenario's claims.notes: ${JSON.stringify(notes)}`);
  if (notes !== null && THIRD_PERSON.test(notes)) problems.push(`notes read like a description of an attack: ${JSON.stringify(notes)}`);
  if (((got.real.ticket as { notes: string | null }).notes === null) !== (notes === null))
    problems.push('one ticket has notes and the other none: pick a real ticket like the drill');

  // The drill's tell-tales, anywhere in any response.
  const tales = tellTales(input);
  for (const [path, leaf] of leaves(got.drill)) {
    const tale = typeof leaf === 'string' ? findTellTale(leaf, tales) : undefined;
    if (tale) problems.push(`${path} shows the drill's ${String(tale)}: ${JSON.stringify(leaf)}`);
  }
  const counts = (await t.http().get('/v1/tickets/counts').set(as).expect(200)).body as Record<string, number>;
  if (JSON.stringify(Object.keys(counts).sort()) !== JSON.stringify([...TICKET_STATES].sort())) problems.push(`counts name ${Object.keys(counts).join(', ')}`);
  const state = (got.drill.ticket as { state: string }).state;
  if (!(counts[state] >= 2)) problems.push(`counts.${state} is ${counts[state]}: one of the two tickets is not counted`);

  if (page) {
    const screens: Record<'drill' | 'real', { ticket: string[]; text: string; inbox?: string[] }> = {} as never;
    for (const [key, id] of [
      ['real', real.ticketId],
      ['drill', drill.ticketId],
    ] as const) {
      await page.goto(`/tickets/${id}`);
      await page.getByRole('heading', { name: 'Timeline', level: 2 }).waitFor();
      screens[key] = { ticket: await structure(page.locator('main')), text: await page.locator('body').innerText() };
    }
    if (JSON.stringify(screens.drill.ticket) !== JSON.stringify(screens.real.ticket))
      problems.push('the console renders the two tickets with different structures');
    const tale = findTellTale(screens.drill.text, tales);
    if (tale) problems.push(`the console's ticket page shows the drill's ${String(tale)}`);
    if (state === 'awaiting_approval' && role === 'approver') {
      await page.goto('/approvals');
      const item = (ticketId: string) => page.locator(`article:has(a[href$="/tickets/${ticketId}"])`);
      await item(drill.ticketId).waitFor();
      await item(real.ticketId).waitFor();
      if (JSON.stringify(await structure(item(real.ticketId))) !== JSON.stringify(await structure(item(drill.ticketId))))
        problems.push('the approver inbox renders the two tickets with different structures');
      const inboxTale = findTellTale(await item(drill.ticketId).innerText(), tales);
      if (inboxTale) problems.push(`the approver inbox shows the drill's ${String(inboxTale)}`);
    }
  }

  if (problems.length) throw new Error(`the drill ticket ${drill.ticketId} can be told from the real ticket ${real.ticketId}:\n- ${problems.join('\n- ')}`);
}
