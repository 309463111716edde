import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { superviseWebWorkers, type WebCluster } from '../../src/runtime/cluster';

/** A stand-in web process: answers with its pid on the port all workers share. */
const WORKER = `
const http = require('node:http');
http.createServer((req, res) => res.end(String(process.pid))).listen(Number(process.env.TEST_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('web cluster', () => {
  let web: WebCluster | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duely-cluster-'));
  const script = path.join(dir, 'worker.js');
  fs.writeFileSync(script, WORKER);

  afterEach(async () => {
    web?.stop();
    await web?.stopped;
    web = null;
  });

  it('serves one port from every worker, replaces a worker that dies, and stops them all', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    web = superviseWebWorkers({
      count: 2,
      logger: pino({ level: 'silent' }),
      exec: script,
      env: { TEST_PORT: String(port) },
    });
    // a new connection per request: the primary hands out connections, not requests
    const answer = () =>
      new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3_000 }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          })
          .on('timeout', function (this: http.ClientRequest) {
            this.destroy(new Error('no answer'));
          })
          .on('error', reject);
      });
    // both workers answer on the one port (the primary hands connections out in turn)
    const seen = await until(async () => {
      const pids = new Set<string>();
      for (let i = 0; i < 20; i++) pids.add(await answer());
      return pids.size === 2 ? pids : undefined;
    }, 'both workers to answer');
    expect(new Set(web.pids().map(String))).toEqual(seen);

    const [victim] = web.pids();
    process.kill(victim!, 'SIGKILL');
    const replaced = await until(
      async () => (web!.pids().length === 2 && !web!.pids().includes(victim!) ? web!.pids() : undefined),
      'a replacement worker',
    );
    await until(async () => {
      const pids = new Set<string>();
      for (let i = 0; i < 20; i++) pids.add(await answer());
      return pids.size === 2 && !pids.has(String(victim)) ? pids : undefined;
    }, 'the replacement to answer');

    web.stop();
    await web.stopped;
    for (const pid of replaced) expect(() => process.kill(pid, 0)).toThrow();
    await expect(answer()).rejects.toThrow();
  });

  it('settles a stop when a worker exits before its IPC channel closes (still listed by node:cluster)', async () => {
    // node:cluster removes a worker from cluster.workers only once it has exited *and*
    // disconnected; the 'exit' event can come first. Forks are faked to force that order.
    const fakes: Worker[] = [];
    const fork = jest.spyOn(cluster, 'fork').mockImplementation(() => {
      const id = 1_000 + fakes.length;
      const w = Object.assign(new EventEmitter(), {
        id,
        process: {
          pid: 900_000 + id,
          kill: () => setImmediate(() => cluster.emit('exit', w, 0, 'SIGTERM')),
        },
      }) as unknown as Worker;
      fakes.push(w);
      return w;
    });
    const listed = Object.getOwnPropertyDescriptor(cluster, 'workers');
    Object.defineProperty(cluster, 'workers', {
      configurable: true,
      get: () => Object.fromEntries(fakes.map((w) => [w.id, w])),
    });
    try {
      const fake = superviseWebWorkers({ count: 2, logger: pino({ level: 'silent' }) });
      expect(fake.pids()).toHaveLength(2);
      fake.stop();
      const settled = await Promise.race([
        fake.stopped.then(() => 'stopped'),
        new Promise((r) => setTimeout(() => r('still waiting'), 2_000).unref()),
      ]);
      expect(settled).toBe('stopped');
      expect(fake.pids()).toEqual([]);
    } finally {
      fork.mockRestore();
      if (listed) Object.defineProperty(cluster, 'workers', listed);
      else delete (cluster as { workers?: unknown }).workers;
    }
  });
});
