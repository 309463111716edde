import type { RequestHandler } from 'express';
import type { AppContext } from '../app/context';
import { ROLE_RANK } from '../services/users';
import { displayMoney, platformName } from './format';
import type { Role } from '../db/schema';

/** Values every page can use: the user, the firm, flash messages, a role check. */
export function viewLocals(app: AppContext): RequestHandler {
  return (req, res, next) => {
    res.locals.user = req.user ?? null;
    res.locals.org = req.org
      ? { id: req.org.id, name: req.org.name, slug: req.org.slug, role: req.org.role }
      : null;
    res.locals.flash = req.session?.flash ?? [];
    if (req.session) req.session.flash = [];
    res.locals.can = (role: Role) => Boolean(req.org && ROLE_RANK[req.org.role] >= ROLE_RANK[role]);
    res.locals.path = req.path;
    res.locals.money = displayMoney;
    res.locals.platformName = platformName;
    res.locals.demo = app.config.demo;
    res.locals.title = 'Duely';
    res.locals.signInPlatforms = app.connectors.list().map((c) => c.platform);
    next();
  };
}
