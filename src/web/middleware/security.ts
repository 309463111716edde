import helmet from 'helmet';

/**
 * Strict CSP: every asset comes from this app; no inline scripts, no third-party origins. Forms
 * post to this app only, and may be redirected on to `formTargets` (the platforms' OAuth consent
 * pages: browsers apply form-action to the redirects of a form submission too).
 */
export function securityHeaders(opts: { https: boolean; formTargets?: readonly string[] }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...(opts.formTargets ?? [])],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(opts.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: opts.https ? { maxAge: 15552000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
