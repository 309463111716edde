import { buildMimeMessage } from '../../src/mail/mime';
import { classifySmtpError } from '../../src/mail/smtpErrors';
import { SmtpPool, smtpPoolOptions } from '../../src/mail/smtpPool';
import { SmtpSink } from './smtpSink';

const message = (to: string, n: number) =>
  buildMimeMessage({
    from: 'Northwind AR <ar@northwind.test>',
    to,
    subject: `Reminder ${n}`,
    text: `Invoice ${n} is open.\n`,
    html: `<p>Invoice ${n} is open.</p>`,
    messageId: `<pool-${n}@duely>`,
  });

async function until(probe: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SMTP connection pool', () => {
  let sink: SmtpSink;
  let url: string;
  let pool: SmtpPool | null = null;
  beforeEach(async () => {
    sink = new SmtpSink();
    url = await sink.start();
  });
  afterEach(async () => {
    pool?.close();
    pool = null;
    await sink.close();
  });

  const send = (p: SmtpPool, to: string, n: number) => {
    const { envelope, raw } = message(to, n);
    return p.send(envelope, raw);
  };

  it('reads its limits from SMTP_URL as nodemailer does, with defaults', () => {
    expect(smtpPoolOptions('smtp://relay.test:587')).toEqual({
      maxConnections: 5,
      maxMessages: 100,
      idleMs: 30_000,
    });
    expect(smtpPoolOptions('smtp://u:p@relay.test:587?maxConnections=2&maxMessages=50&idleMs=5000')).toEqual({
      maxConnections: 2,
      maxMessages: 50,
      idleMs: 5_000,
    });
  });

  it('sends many messages at once over no more than maxConnections, each message once', async () => {
    pool = new SmtpPool(`${url}?maxConnections=3`);
    await Promise.all(Array.from({ length: 30 }, (_, n) => send(pool!, `ap${n}@customer.test`, n)));
    expect(sink.received).toHaveLength(30);
    expect(new Set(sink.received.map((r) => r.mail.subject)).size).toBe(30);
    expect(sink.sessionsOpened).toBe(3);
  });

  it('opens a new connection after maxMessages on one, and QUITs the old one', async () => {
    pool = new SmtpPool(`${url}?maxConnections=1&maxMessages=3`);
    for (let n = 0; n < 7; n++) await send(pool, 'ap@customer.test', n);
    expect(sink.received).toHaveLength(7);
    expect(sink.sessionsOpened).toBe(3);
    await until(() => sink.openSessions.size === 1, 'the used-up connections to close');
  });

  it('a refused recipient fails that message only: the connection goes on after RSET', async () => {
    sink.refuseRecipient('gone@customer.test', 550, 'No such user here');
    pool = new SmtpPool(`${url}?maxConnections=1`);
    const refused = await send(pool, 'gone@customer.test', 1).catch((e: unknown) => e);
    expect(classifySmtpError(refused)).toMatchObject({ kind: 'bounce', code: 550 });
    await send(pool, 'ap@customer.test', 2);
    expect(sink.received.map((r) => r.to)).toEqual([['ap@customer.test']]);
    expect(sink.sessionsOpened).toBe(1);
  });

  it('a connection the server hung up while idle is not reused: the next message goes out on a new one', async () => {
    pool = new SmtpPool(`${url}?maxConnections=1`);
    await send(pool, 'ap@customer.test', 1);
    sink.hangUp();
    await until(() => sink.openSessions.size === 0, 'the server to hang up');
    await new Promise((r) => setTimeout(r, 50));
    await send(pool, 'ap@customer.test', 2);
    expect(sink.received).toHaveLength(2);
    expect(sink.sessionsOpened).toBe(2);
  });

  it('closes connections left idle for idleMs', async () => {
    pool = new SmtpPool(`${url}?maxConnections=2`, { idleMs: 100 });
    await Promise.all([send(pool, 'a@customer.test', 1), send(pool, 'b@customer.test', 2)]);
    expect(sink.openSessions.size).toBe(2);
    await until(() => sink.openSessions.size === 0, 'idle connections to close');
  });

  it('a server that is down is a temporary failure; the pool works once it is back', async () => {
    const port = sink.port;
    await sink.close();
    pool = new SmtpPool(`smtp://127.0.0.1:${port}?maxConnections=2`);
    const down = await send(pool, 'ap@customer.test', 1).catch((e: unknown) => e);
    expect(classifySmtpError(down)).toMatchObject({ kind: 'temporary', code: null });
    sink = new SmtpSink();
    await sink.start(port);
    await send(pool, 'ap@customer.test', 2);
    expect(sink.received).toHaveLength(1);
  });

  it('signs in with the user and password of SMTP_URL on every connection', async () => {
    await sink.close();
    sink = new SmtpSink({ auth: { user: 'duely', pass: 's3cret' } });
    const authed = await sink.start();
    pool = new SmtpPool(authed.replace('smtp://', 'smtp://duely:s3cret@') + '?maxConnections=2');
    await Promise.all([send(pool, 'a@customer.test', 1), send(pool, 'b@customer.test', 2)]);
    expect(sink.signedIn).toEqual(['duely', 'duely']);
    const wrong = new SmtpPool(authed.replace('smtp://', 'smtp://duely:wrong@'));
    const refused = await send(wrong, 'a@customer.test', 3).catch((e: unknown) => e);
    wrong.close();
    expect(classifySmtpError(refused)).toMatchObject({ kind: 'permanent', code: 535 });
    expect(sink.received).toHaveLength(2);
  });

  it('after close, sends are refused and open connections are QUIT', async () => {
    pool = new SmtpPool(url);
    await send(pool, 'ap@customer.test', 1);
    pool.close();
    await expect(send(pool, 'ap@customer.test', 2)).rejects.toThrow('SMTP pool closed');
    await until(() => sink.openSessions.size === 0, 'the connection to close');
    expect(sink.received).toHaveLength(1);
  });
});
