import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string | null;
  subject: string;
  text: string;
  html?: string | null;
  headers?: Record<string, string>;
  /** Message-ID derived from the idempotency key: a resend is recognisably the same message. */
  messageId: string;
}

export type SendResult =
  { ok: true; providerMessageId: string } | { ok: false; permanent: boolean; reason: string };

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingEmail): Promise<SendResult>;
  close(): void;
}

/** SMTP via nodemailer with pooling. 4xx answers are temporary (retry), 5xx permanent. */
export function smtpTransport(url: string): MailTransport {
  const transporter: Transporter = nodemailer.createTransport(
    url.includes('?') ? `${url}&pool=true` : `${url}?pool=true`,
  );
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          replyTo: mail.replyTo ?? undefined,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? undefined,
          headers: mail.headers,
          messageId: mail.messageId,
        });
        return { ok: true, providerMessageId: String(info.messageId ?? mail.messageId) };
      } catch (e) {
        const err = e as { responseCode?: number; message?: string; code?: string };
        const code = err.responseCode ?? 0;
        return {
          ok: false,
          permanent: code >= 500 && code < 600,
          reason: `${code ? code + ' ' : ''}${err.message ?? String(e)}`.slice(0, 500),
        };
      }
    },
    close: () => transporter.close(),
  };
}

/** Development default: the e-mail row is the outbox; nothing leaves the machine. */
export function outboxTransport(): MailTransport {
  return {
    kind: 'outbox',
    async send(mail) {
      return { ok: true, providerMessageId: mail.messageId };
    },
    close() {},
  };
}
