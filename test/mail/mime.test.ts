import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { buildMimeMessage } from '../../src/mail/mime';
import type { OutgoingEmail } from '../../src/mail/transport';

/** What nodemailer's own composer makes of the same mail: the reference the builder must match. */
async function composed(mail: OutgoingEmail, date: Date): Promise<Buffer> {
  return new MailComposer({
    from: mail.from,
    to: mail.to,
    replyTo: mail.replyTo ?? undefined,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? undefined,
    headers: mail.headers,
    messageId: mail.messageId,
    date,
  })
    .compile()
    .build();
}

const base: OutgoingEmail = {
  from: 'Northwind AR <ar@northwind.test>',
  to: 'ap@customer.test',
  replyTo: 'billing@northwind.test',
  subject: 'Invoice 1042 is 3 days overdue',
  text: 'Hello Dana,\n\nInvoice 1042 for USD 1,200.00 was due on 2026-05-01.\n',
  html: '<p style="color:#0b5fff;margin:0">Hello Dana,</p>\n<table><tr><td>1042</td></tr></table>',
  headers: {
    'List-Unsubscribe': '<https://app.duely.test/u/abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  messageId: '<msg-1@duely>',
};

const cases: Record<string, OutgoingEmail> = {
  'plain ASCII reminder': base,
  'non-ASCII names, subject and bodies': {
    ...base,
    from: 'Müller & Söhne Buchhaltung <ar@müller.test>',
    to: '"Zoë O\'Brien, AP" <zoe@kunde.test>',
    subject: 'Rechnung fällig — bitte zahlen 💶',
    text: 'Grüße,\r\nZoë\r\n',
    html: '<p>Grüße, Zoë — 💶 1.200,00 €</p>',
  },
  'long lines, dots and = signs at line starts, trailing spaces': {
    ...base,
    text: `${'x'.repeat(200)}\n.\n.leading dot\n=equals   \nend \t`,
    html: `<div style="${'a:b;'.repeat(60)}">\n.dot\n${'<td class="c">1</td>'.repeat(40)}</div>`,
  },
  'text only, no reply-to': { ...base, html: null, replyTo: null },
  'text only, non-ASCII': { ...base, html: null, text: 'Ihr Konto: 1.200,00 €\n' },
  'mostly non-Latin text (base64 is chosen)': {
    ...base,
    text: 'お支払いをお願いします。'.repeat(20),
    html: '<p>請求書</p>',
  },
  'header value with a line break cannot inject a header': {
    ...base,
    subject: 'Overdue\r\nBcc: victim@evil.test',
  },
};

describe('buildMimeMessage', () => {
  const date = new Date('2026-06-15T09:30:00Z');

  it.each(Object.entries(cases))(
    '%s: reads back exactly as the message nodemailer composes',
    async (_name, mail) => {
      const built = buildMimeMessage(mail, date);
      const [ours, theirs] = await Promise.all([
        simpleParser(built.raw),
        simpleParser(await composed(mail, date)),
      ]);
      const view = (m: ParsedMail) => ({
        from: m.from?.value,
        to: Array.isArray(m.to) ? m.to.map((t) => t.value) : m.to?.value,
        replyTo: m.replyTo?.value,
        subject: m.subject,
        messageId: m.messageId,
        date: m.date?.toISOString(),
        text: m.text,
        html: m.html,
        unsubscribe: m.headers.get('list-unsubscribe'),
        unsubscribePost: m.headers.get('list-unsubscribe-post'),
        bcc: m.headers.get('bcc'),
        attachments: m.attachments.length,
      });
      expect(view(ours)).toEqual(view(theirs));
      expect(ours.text?.replace(/\r\n/g, '\n')).toBe(mail.text.replace(/\r\n/g, '\n'));
      if (mail.html) expect(ours.html).toBe(mail.html.replace(/\r?\n/g, '\n'));
      expect(built.envelope).toEqual({
        from: expect.stringContaining('@'),
        to: [expect.stringContaining('@')],
      });
    },
  );

  it.each(Object.entries(cases))(
    '%s: 7-bit, CRLF line ends only, no line over 78 characters',
    (_name, mail) => {
      const raw = buildMimeMessage(mail, date).raw;
      expect(raw.every((b) => b < 0x80)).toBe(true);
      const s = raw.toString('latin1');
      expect(s).not.toMatch(/[^\r]\n|\r[^\n]/);
      for (const line of s.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    },
  );

  it('puts the envelope on the bare addresses, the domain of an international address punycoded', () => {
    const { envelope } = buildMimeMessage(cases['non-ASCII names, subject and bodies']!, date);
    expect(envelope).toEqual({ from: 'ar@xn--mller-kva.test', to: ['zoe@kunde.test'] });
  });

  it('gives every message its own multipart boundary', () => {
    const boundary = (raw: Buffer) => /boundary="?([^";\r\n]+)/.exec(raw.toString('latin1'))?.[1];
    const a = boundary(buildMimeMessage(base, date).raw);
    const b = boundary(buildMimeMessage(base, date).raw);
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });
});
