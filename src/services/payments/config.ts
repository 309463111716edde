import Stripe from 'stripe';
import type { AppContext } from '../../app/context';

/** The Stripe API version this code was written against; pinned so an account upgrade changes nothing. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const;

/** Online card/ACH payment is on when the deployment has a Stripe secret key (CONTRACT §2). */
export function paymentsEnabled(app: AppContext): boolean {
  return app.config.stripeConfigured && Boolean(app.config.STRIPE_SECRET_KEY);
}

const clients = new WeakMap<AppContext['config'], Stripe>();

/**
 * The process's Stripe client (one per configuration, so in practice one per process).
 * `STRIPE_BASE_URL` points every API call at another origin (the test/demo emulator).
 */
export function stripeClient(app: AppContext): Stripe {
  const existing = clients.get(app.config);
  if (existing) return existing;
  const key = app.config.STRIPE_SECRET_KEY;
  if (!key) throw new Error('Stripe is not configured (STRIPE_SECRET_KEY is unset)');
  const config: ConstructorParameters<typeof Stripe>[1] = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2,
    timeout: 20_000,
    typescript: true,
    appInfo: { name: 'Duely' },
  };
  if (app.config.STRIPE_BASE_URL) {
    const url = new URL(app.config.STRIPE_BASE_URL);
    config.host = url.hostname;
    config.protocol = url.protocol === 'http:' ? 'http' : 'https';
    config.port = url.port || (url.protocol === 'http:' ? 80 : 443);
  }
  const client = new Stripe(key, config);
  clients.set(app.config, client);
  return client;
}
