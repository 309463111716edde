/**
 * Portal: contact preferences (`/portal/preferences`): channel, contact hours and days, time zone.
 * A bad value shows the form again with the message and the values typed; nothing is saved.
 */
import { Router, type Request, type Response } from 'express';
import type { AppContext } from '../../../app/context';
import { ServiceError } from '../../../services/errors';
import { firmPolicies } from '../../../services/policies';
import {
  getPortalPreferences,
  timeZones,
  updatePortalPreferences,
  WEEKDAYS,
  type PortalPreferences,
} from '../../../services/portal/preferences';

const CHANNEL_LABELS = { email: 'E-mail', call: 'Phone call', letter: 'Letter' } as const;

function render(
  req: Request,
  res: Response,
  status: number,
  values: Partial<PortalPreferences>,
  extra: { error?: string | null; field?: string | null; saved?: boolean; contactName?: string | null } = {},
) {
  const allowed = firmPolicies({ settings: req.portal!.firm.settings }).portal.allowPreferenceUpdates;
  res.status(status).render('portal/preferences', {
    title: 'Contact preferences',
    values,
    allowed,
    zones: timeZones(),
    weekdays: WEEKDAYS,
    channels: CHANNEL_LABELS,
    hours: Array.from({ length: 25 }, (_, h) => h),
    error: extra.error ?? null,
    field: extra.field ?? null,
    saved: extra.saved ?? false,
    contactName: extra.contactName ?? null,
  });
}

export function portalPreferencesRouter(app: AppContext): Router {
  const r = Router();

  r.get('/preferences', async (req, res, next) => {
    try {
      const p = req.portal!;
      const view = await getPortalPreferences(p.scope, {
        customerId: p.customerId,
        contactId: p.contactId,
        firmTimezone: p.firm.timezone,
      });
      render(req, res, 200, view.values, {
        saved: req.query.saved === '1',
        contactName: view.contact?.name ?? view.contact?.email ?? null,
      });
    } catch (err) {
      next(err);
    }
  });

  r.post('/preferences', async (req, res, next) => {
    const p = req.portal!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      await updatePortalPreferences(
        p.scope,
        {
          customerId: p.customerId,
          contactId: p.contactId,
          allowed: firmPolicies({ settings: p.firm.settings }).portal.allowPreferenceUpdates,
        },
        {
          channel: body.channel,
          hoursFrom: body.hoursFrom,
          hoursTo: body.hoursTo,
          days: body.days,
          timezone: body.timezone,
        },
        app.now(),
      );
      res.redirect(303, '/portal/preferences?saved=1');
    } catch (err) {
      if (!(err instanceof ServiceError) || err.status !== 400) return next(err);
      const typed = {
        channel: typeof body.channel === 'string' ? body.channel : null,
        hoursFrom: Number(body.hoursFrom),
        hoursTo: Number(body.hoursTo),
        days: ([] as unknown[]).concat(body.days ?? []).map(Number),
        timezone: typeof body.timezone === 'string' ? body.timezone : '',
      };
      const message = err.field ? err.message.slice(err.field.length + 2) : err.message;
      render(req, res, 400, typed as Partial<PortalPreferences>, {
        error: message,
        field: err.field ?? null,
      });
    }
  });

  return r;
}
