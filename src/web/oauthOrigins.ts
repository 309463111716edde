import type { AppContext } from '../app/context';

/**
 * The origins of the platforms' OAuth consent pages (Intuit's, Xero's, or their emulators'): the
 * connect and sign-in forms post here and are redirected there, so the CSP's form-action must
 * allow them.
 */
export function consentOrigins(app: Pick<AppContext, 'connectors' | 'config'>): string[] {
  const origins = new Set<string>();
  for (const c of app.connectors.list()) {
    for (const signIn of [false, true]) {
      const url = c.oauth.authorizationUrl({ state: 'csp', redirectUri: app.config.BASE_URL, signIn });
      origins.add(new URL(url).origin);
    }
  }
  return [...origins];
}
