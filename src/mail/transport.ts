import { buildMimeMessage } from './mime';
import { SmtpPool } from './smtpPool';
import { classifySmtpError, type SendFailure } from './smtpErrors';

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

export type { SendFailure } from './smtpErrors';
export type SendResult = { ok: true; providerMessageId: string } | SendFailure;

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /**
   * Resolves with the outcome the server gave. Throws only when the outcome is unknown (a bug or
   * a crash in between): the caller must then not assume the mail was not sent.
   */
  send(mail: OutgoingEmail): Promise<SendResult>;
  close(): void;
}

/**
 * SMTP through a pool of connections (`SmtpPool`: nodemailer's SMTP client, connections reused
 * across messages; `maxConnections`/`maxMessages` from SMTP_URL's query); the message is built in
 * one pass by `buildMimeMessage`. 4xx answers and network errors are temporary (the job retries
 * with the same Message-ID), a 5xx recipient rejection is a hard bounce, any other 5xx a
 * permanent failure with the server's reason.
 */
export function smtpTransport(url: string): MailTransport {
  const pool = new SmtpPool(url);
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        const { raw, envelope } = buildMimeMessage(mail);
        await pool.send(envelope, raw);
        return { ok: true, providerMessageId: mail.messageId };
      } catch (e) {
        return classifySmtpError(e);
      }
    },
    close: () => pool.close(),
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
