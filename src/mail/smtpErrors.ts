/**
 * What an SMTP failure means for the message: try again later, give up, or a hard bounce (the
 * mailbox does not exist — the address is bad, not just the message).
 */
export type SendFailure = {
  ok: false;
  /** `temporary`: retry; `permanent`: failed with the reason; `bounce`: the address is bad. */
  kind: 'temporary' | 'permanent' | 'bounce';
  reason: string;
  code: number | null;
};

/** RCPT answers that say the mailbox is unknown or unavailable for good (RFC 5321 §4.2.2, RFC 3463 5.1.x). */
const HARD_BOUNCE_CODES = new Set([550, 551, 553]);
const BAD_MAILBOX_STATUS = /\b5\.1\.\d{1,3}\b/;

interface NodemailerError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

export function classifySmtpError(e: unknown): SendFailure {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as NodemailerError;
  const code = typeof err.responseCode === 'number' ? err.responseCode : null;
  const reason = (err.response?.trim() || err.message || String(e)).replace(/\s+/g, ' ').slice(0, 500);
  if (code === null || code < 500) {
    // 4xx: the server says "later"; no code: the connection failed (refused, timed out, reset)
    return {
      ok: false,
      kind: 'temporary',
      reason: code ? reason : `${err.code ?? 'error'}: ${reason}`,
      code,
    };
  }
  const atRecipient = err.command === 'RCPT TO';
  if (atRecipient && (HARD_BOUNCE_CODES.has(code) || BAD_MAILBOX_STATUS.test(reason))) {
    return { ok: false, kind: 'bounce', reason, code };
  }
  return { ok: false, kind: 'permanent', reason, code };
}
