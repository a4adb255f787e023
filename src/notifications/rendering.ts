/**
 * One wording per message, two renderings: plain text, and HTML in which every
 * variable is escaped. A template writes its sentence once with `say`; the
 * variables stay apart from the wording, so escaping cannot be forgotten for
 * one of them (a display name such as `<img src=x onerror=…>` stays text).
 */
export type Value = string | number;

export class Wording {
  constructor(
    private readonly parts: readonly string[],
    private readonly values: readonly Value[],
  ) {}

  text(): string {
    return this.parts.reduce((out, part, i) => out + part + (i < this.values.length ? String(this.values[i]) : ''), '');
  }

  html(): string {
    return this.parts.reduce((out, part, i) => out + escapeHtml(part) + (i < this.values.length ? escapeHtml(String(this.values[i])) : ''), '');
  }
}

/** Tag for a template's body: say`Hello ${name}, …`. */
export const say = (parts: TemplateStringsArray, ...values: Value[]): Wording => new Wording(parts, values);

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A link in a message: where it goes and what its button says. */
export interface LinkSpec {
  href: Value;
  label: string;
}

/** The HTML part of an e-mail: the body, each link as a button with its address spelled out beside it. */
export function htmlDocument(subject: string, body: Wording, links: LinkSpec[]): string {
  const buttons = links.map(({ href, label }) => {
    const url = escapeHtml(String(href));
    return (
      `<p><a href="${url}" style="display:inline-block;padding:10px 16px;background:#1f4e8c;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(label)}</a></p>\n` +
      `<p style="font-size:13px;color:#555555">If the button does not work, copy this address into your browser:<br>${url}</p>`
    );
  });
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;max-width:36em">',
    `<p>${body.html()}</p>`,
    ...buttons,
    '<p style="font-size:13px;color:#555555">Sent by the recovery desk. Nobody from the help desk will ever ask you for your backup codes.</p>',
    '</body>',
    '</html>',
  ].join('\n');
}
