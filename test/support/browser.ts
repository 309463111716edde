/**
 * Browser tests: Debian's Chromium driven by playwright-core against the whole app served on a
 * loopback port. Screenshots go to test-artifacts/ (git-ignored) for people to look at.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from './app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/** Chromium, or a clear failure saying how to install it (browser tests are never skipped). */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the browser tests need it. Install it with "apt-get install chromium" (or set CHROMIUM_PATH).`,
    );
  }
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...(root ? ['--no-sandbox'] : []), '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface ServedApp extends TestApp {
  baseUrl: string;
}

/**
 * The app on 127.0.0.1 with BASE_URL set to where it listens (so OAuth redirects come back to
 * it): the port is taken first, then the app is built for that origin.
 */
export async function serveApp(opts: Parameters<typeof createTestApp>[0] = {}): Promise<ServedApp> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await createTestApp({ ...opts, env: { ...opts.env, BASE_URL: baseUrl } });
  handler = t.web as unknown as http.RequestListener;
  return {
    ...t,
    baseUrl,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

/** Save a full-page screenshot as test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
