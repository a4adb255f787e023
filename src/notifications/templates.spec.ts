import { escapeHtml } from './rendering';
import { render, TEMPLATE_NAMES } from './templates';

const HOSTILE = `<img src=x onerror="alert('x')">&amp;`;
const OTP = '48291375';
const LINK = 'https://desk.example/r/rdd_SECRETTOKENsecrettoken0123456789abcdefghij';

/** Whatever variable a template reads: the OTP, a link, or else markup. */
const vars = new Proxy({} as Record<string, string>, {
  get: (_, key) => (key === 'otp' ? OTP : key === 'link' || key === 'cancelLink' || key === 'notMeLink' ? LINK : HOSTILE),
});

describe('message templates', () => {
  it.each(TEMPLATE_NAMES)('%s: escapes every variable in the HTML part, keeps the text part literal', (name) => {
    const message = render(name, vars);
    expect(message.html).toBeDefined();
    expect(message.html).not.toContain('<img');
    expect(message.html).not.toContain(`onerror="`);
    expect(message.body).not.toMatch(/&lt;|&amp;amp;/);
    if (message.body.includes(HOSTILE)) expect(message.html).toContain(escapeHtml(HOSTILE));
    for (const link of message.links) expect(message.html).toContain(`href="${escapeHtml(link)}"`);
  });

  it.each(TEMPLATE_NAMES)('%s: never puts an OTP or a link in the subject', (name) => {
    const message = render(name, vars);
    expect(message.subject).not.toContain(OTP);
    expect(message.subject).not.toContain('rdd_');
    expect(message.subject).not.toContain('http');
  });

  it('carries the OTP in the body, the delivery link as a link, and no link in the text body itself', () => {
    expect(render('proofing.otp', { otp: OTP, minutes: 10 }).body).toContain(`code is ${OTP}`);
    const delivery = render('delivery.link', { name: 'Jane', link: LINK, expiresAt: '2026-01-01T00:00:00.000Z' });
    expect(delivery.links).toEqual([LINK]);
    expect(delivery.body).not.toContain(LINK);
    expect(delivery.html).toContain('Show my new backup codes');
  });
});
