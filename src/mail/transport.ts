import nodemailer, { type Transporter } from 'nodemailer';
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
 * SMTP via nodemailer with pooling (connections are reused across messages). 4xx answers and
 * network errors are temporary (the job retries with the same Message-ID), a 5xx recipient
 * rejection is a hard bounce, any other 5xx a permanent failure with the server's reason.
 */
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
        return classifySmtpError(e);
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
