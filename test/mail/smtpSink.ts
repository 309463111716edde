import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  to: string[];
  raw: string;
  mail: ParsedMail;
}

type Answer = { code: number; message: string };

/**
 * A real SMTP server on loopback (smtp-server) that keeps what it receives. Per recipient it can
 * refuse at RCPT TO or at DATA, a number of times or always, with a given code.
 */
export class SmtpSink {
  readonly received: Received[] = [];
  private readonly rcptRules = new Map<string, { answer: Answer; times: number }>();
  private readonly dataRules = new Map<string, { answer: Answer; times: number }>();
  private server: SMTPServer;
  port = 0;
  /** SMTP sessions opened so far, and those still open. */
  sessionsOpened = 0;
  readonly openSessions = new Set<string>();
  /** Users that signed in (with `auth` set, signing in is required). */
  readonly signedIn: string[] = [];

  constructor(opts: { auth?: { user: string; pass: string } } = {}) {
    this.server = new SMTPServer({
      authOptional: !opts.auth,
      disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      logger: false,
      onConnect: (session, cb) => {
        this.sessionsOpened++;
        this.openSessions.add(session.id);
        cb();
      },
      onClose: (session) => {
        this.openSessions.delete(session.id);
      },
      onAuth: (auth, _session, cb) => {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
          this.signedIn.push(auth.username!);
          return cb(null, { user: auth.username });
        }
        cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, cb) => {
        const rule = this.take(this.rcptRules, address.address);
        cb(rule ? smtpError(rule) : null);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const to = session.envelope.rcptTo.map((r) => r.address);
          const rule = to.map((a) => this.take(this.dataRules, a)).find(Boolean);
          if (rule) return cb(smtpError(rule));
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (mail) => {
              this.received.push({ to, raw, mail });
              cb();
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Answer RCPT TO for `address` with `code` (the next `times` times; Infinity = always). */
  refuseRecipient(address: string, code: number, message: string, times = Infinity): void {
    this.rcptRules.set(address.toLowerCase(), { answer: { code, message }, times });
  }

  /** Answer the end of DATA for mail to `address` with `code`. */
  refuseData(address: string, code: number, message: string, times = Infinity): void {
    this.dataRules.set(address.toLowerCase(), { answer: { code, message }, times });
  }

  to(address: string): Received[] {
    return this.received.filter((r) => r.to.some((a) => a.toLowerCase() === address.toLowerCase()));
  }

  private take(rules: Map<string, { answer: Answer; times: number }>, address: string): Answer | null {
    const rule = rules.get(address.toLowerCase());
    if (!rule || rule.times <= 0) return null;
    rule.times -= 1;
    return rule.answer;
  }

  /** The server hangs up on every client, as a relay does after its idle timeout. */
  hangUp(): void {
    const open = (this.server as unknown as { connections: Set<{ close(): void }> }).connections;
    for (const c of open) c.close();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function smtpError(a: Answer): Error {
  return Object.assign(new Error(a.message), { responseCode: a.code });
}
