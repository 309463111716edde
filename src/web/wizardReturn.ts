import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** Where the OAuth callback returns after a connect started in the setup wizard. */
    wizardReturn?: string;
    /** The unfinished wizard was offered once in this session. */
    wizardResumed?: boolean;
  }
}

/** Remember to come back to the wizard after the platform's consent screen. */
export function returnToWizardAfterConnect(req: Request): void {
  req.session.wizardReturn = '/welcome';
}

/** The wizard's page to return to after a connect it started (once), or null. */
export function takeWizardReturn(req: Request): string | null {
  const to = req.session?.wizardReturn;
  if (req.session) delete req.session.wizardReturn;
  return to === '/welcome' ? to : null;
}
