import { Router } from 'express';
import type { AppContext } from '../../app/context';
import { createApiToken, listApiTokens, revokeApiToken } from '../../services/apiTokens';
import { ServiceError } from '../../services/errors';
import { inviteMember } from '../../services/invitations';
import { readPilot } from '../../services/settings/automation';
import { listMembers } from '../../services/team';
import { updateOrganization, findOrganization } from '../../services/organizations';
import { flash, requireRole, requireUser } from '../middleware/auth';
import type { Role } from '../../db/schema';
import { connectionsRouter } from './connections';
import { confirmGoingLive } from './settings/automation';
import { settingsPagesRouter } from './settings/index';
import { auditRouter } from './settings/audit';
import { teamMembersRouter } from './settings/team';

const actorOf = (req: { user?: { id: string } }) => ({ type: 'user' as const, id: req.user?.id ?? null });

export function settingsRouter(app: AppContext): Router {
  const r = Router();
  r.use(requireUser);

  r.get('/', (_req, res) => res.redirect('/settings/organization'));

  r.get('/organization', async (req, res) => {
    const org = await findOrganization(app.db, req.org!.id);
    res.render('pages/settings/organization', { title: 'Firm settings', organization: org });
  });

  r.post('/organization', requireRole('admin'), async (req, res, next) => {
    try {
      const b = req.body as Record<string, string>;
      const before = await findOrganization(app.db, req.org!.id);
      // going live is never a plain save: the firm's details are saved, then the same
      // confirmation as Settings → Automation is shown (what the next run would send)
      const goingLive = b.automation === 'live' && before.automation !== 'live';
      const org = await updateOrganization(
        app.db,
        req.org!.id,
        {
          name: b.name,
          timezone: b.timezone,
          country: b.country,
          currency: b.currency,
          automation: goingLive ? undefined : (b.automation as never),
        },
        actorOf(req),
      );
      if (goingLive) {
        const pilot = readPilot(org);
        return await confirmGoingLive(
          app,
          res,
          org,
          {
            mode: 'live',
            pilotActive: pilot.active,
            pilotTags: pilot.tags,
            shownCustomerIds: [],
            pilotCustomerIds: [],
          },
          `Firm details saved. Automation stays ${org.automation} until you confirm going live.`,
        );
      }
      flash(req, 'success', 'Settings saved.');
      res.redirect('/settings/organization');
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) {
        flash(req, 'error', e.message);
        return res.redirect('/settings/organization');
      }
      next(e);
    }
  });

  r.get('/team', async (req, res) => {
    const members = await listMembers(req.org!.scope);
    res.render('pages/settings/team', { title: 'Team', members, inviteUrl: null });
  });
  r.use('/team', teamMembersRouter());

  r.post('/team/invite', requireRole('admin'), async (req, res, next) => {
    try {
      const b = req.body as Record<string, string>;
      await inviteMember(
        app,
        req.org!.scope,
        { email: b.email ?? '', role: (b.role ?? 'clerk') as Role },
        actorOf(req),
      );
      flash(req, 'success', `Invitation sent to ${b.email}.`);
      res.redirect('/settings/team');
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) {
        flash(req, 'error', e.message);
        return res.redirect('/settings/team');
      }
      next(e);
    }
  });

  r.get('/tokens', requireRole('admin'), async (req, res) => {
    res.render('pages/settings/tokens', {
      title: 'API tokens',
      tokens: await listApiTokens(req.org!.scope),
      newToken: null,
    });
  });

  r.post('/tokens', requireRole('admin'), async (req, res, next) => {
    try {
      const { token } = await createApiToken(
        req.org!.scope,
        String((req.body as Record<string, string>).name ?? ''),
        actorOf(req),
      );
      res.render('pages/settings/tokens', {
        title: 'API tokens',
        tokens: await listApiTokens(req.org!.scope),
        newToken: token,
      });
    } catch (e) {
      if (e instanceof ServiceError && e.status < 500) {
        flash(req, 'error', e.message);
        return res.redirect('/settings/tokens');
      }
      next(e);
    }
  });

  r.post('/tokens/:id/revoke', requireRole('admin'), async (req, res) => {
    const done = await revokeApiToken(req.org!.scope, req.params.id as string, actorOf(req));
    if (!done)
      return res.status(404).render('pages/error', { title: 'Not found', status: 404, message: 'not found' });
    flash(req, 'success', 'Token revoked.');
    res.redirect('/settings/tokens');
  });

  r.use('/audit', auditRouter());

  r.use('/connections', connectionsRouter(app));
  r.use(settingsPagesRouter(app));
  return r;
}
