import { Router, type NextFunction, type Request, type Response } from 'express';
import type { PassportStatic } from 'passport';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { AppContext } from '../../app/context';
import { acceptInvitation, findInvitation } from '../../services/invitations';
import { signUp } from '../../services/signup';
import { membershipsOf } from '../../services/users';
import { flash, type SessionUser } from '../middleware/auth';
import { blockedFor, consume } from '../middleware/throttle';
import { ServiceError } from '../../services/errors';

const safeNext = (v: unknown) => (typeof v === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(v) ? v : '/');

function logIn(req: Request, user: SessionUser): Promise<void> {
  return new Promise((resolve, reject) => {
    // a new session id at login (no session fixation)
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.login(user, (e) => (e ? reject(e) : resolve()));
    });
  });
}

export function authRouter(app: AppContext, passport: PassportStatic, limiter: RateLimiterAbstract): Router {
  const r = Router();

  r.get('/login', (req, res) => {
    if (req.user && req.org) return res.redirect('/');
    res.render('pages/login', { title: 'Sign in', next: safeNext(req.query.next), email: '' });
  });

  r.post('/login', async (req: Request, res: Response, next: NextFunction) => {
    const email = String(req.body?.email ?? '')
      .trim()
      .toLowerCase();
    const key = `${email}|${req.ip}`;
    const wait = await blockedFor(limiter, key);
    const render = (status: number, message: string) =>
      res
        .status(status)
        .render('pages/login', { title: 'Sign in', next: safeNext(req.body?.next), email, error: message });
    if (wait > 0)
      return render(429, `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`);
    passport.authenticate('local', (err: unknown, user: SessionUser | false) => {
      if (err) return next(err);
      if (!user) {
        consume(limiter, key).then((blocked) => {
          if (blocked > 0)
            render(429, `Too many failed attempts. Try again in ${Math.ceil(blocked / 60)} minute(s).`);
          else render(401, 'That e-mail and password do not match.');
        }, next);
        return;
      }
      limiter
        .delete(key)
        .then(() => membershipsOf(app.db, user.id))
        .then(async (firms) => {
          // a member removed from every firm is told so, not sent round to this page again
          if (firms.length === 0)
            return render(
              403,
              'This account is no longer a member of any firm. Ask your firm’s admin to invite you again.',
            );
          await logIn(req, user);
          res.redirect(safeNext(req.body?.next));
        })
        .catch(next);
    })(req, res, next);
  });

  r.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect('/login'));
    });
  });

  r.get('/signup', (_req, res) => res.render('pages/signup', { title: 'Create your firm', values: {} }));

  r.post('/signup', async (req, res, next) => {
    const body = z
      .object({
        firmName: z.string().default(''),
        name: z.string().default(''),
        email: z.string().default(''),
        password: z.string().default(''),
        timezone: z.string().default('UTC'),
        country: z.string().default('US'),
        currency: z.string().default('USD'),
      })
      .parse(req.body ?? {});
    try {
      const { user } = await signUp(app.db, body);
      await logIn(req, { id: user.id, email: user.email, name: user.name });
      flash(req, 'success', `Welcome to Duely. Connect your books to get started.`);
      res.redirect('/welcome');
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) {
        return res.status(e.status).render('pages/signup', {
          title: 'Create your firm',
          values: { ...body, password: '' },
          error: e.message,
        });
      }
      next(e);
    }
  });

  r.get('/invite/:token', async (req, res) => {
    const inv = await findInvitation(app.db, req.params.token);
    if (!inv)
      return res.status(404).render('pages/error', {
        title: 'Invitation',
        status: 404,
        message: 'This invitation is invalid, used or expired. Ask for a new one.',
      });
    res.render('pages/invite', {
      title: 'Join ' + inv.organizationName,
      invitation: inv,
      token: req.params.token,
    });
  });

  r.post('/invite/:token', async (req, res, next) => {
    try {
      const user = await acceptInvitation(app.db, req.params.token, {
        name: String(req.body?.name ?? ''),
        password: String(req.body?.password ?? ''),
      });
      await logIn(req, { id: user.id, email: user.email, name: user.name });
      req.session.organizationId = user.organizationId;
      flash(req, 'success', 'You have joined the team.');
      res.redirect('/');
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) {
        const inv = await findInvitation(app.db, req.params.token);
        if (!inv)
          return res
            .status(404)
            .render('pages/error', { title: 'Invitation', status: 404, message: e.message });
        return res.status(e.status).render('pages/invite', {
          title: 'Join ' + inv.organizationName,
          invitation: inv,
          token: req.params.token,
          error: e.message,
        });
      }
      next(e);
    }
  });

  r.post('/switch-organization', (req, res) => {
    const id = String(req.body?.organizationId ?? '');
    req.session.organizationId = id;
    res.redirect('/');
  });

  return r;
}
