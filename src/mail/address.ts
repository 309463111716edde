/** Sender addresses: the firm's own sender (branding) or MAIL_FROM, as an RFC 5322 mailbox. */
export function mailboxAddress(mailbox: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(mailbox);
  return (m ? m[1]! : mailbox).trim();
}

const quoteName = (name: string) => `"${name.replace(/[\r\n"\\]/g, ' ').trim()}"`;

/**
 * `"Sender Name" <address>`: the firm's sender e-mail when set (its domain must allow our SMTP),
 * else the address of MAIL_FROM; the firm's sender name, else its name.
 */
export function senderMailbox(
  mailFrom: string,
  branding: { senderName?: string | null; senderEmail?: string | null },
  firmName: string,
): string {
  const address = branding.senderEmail?.trim() || mailboxAddress(mailFrom);
  const name = branding.senderName?.trim() || firmName;
  return `${quoteName(name)} <${address}>`;
}
