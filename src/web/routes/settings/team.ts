/**
 * Settings → Team, member actions (admin and above): change a member's role, remove a member. A
 * refused change (your own membership, an owner by a non-owner, an unknown role) comes back as a
 * message with nothing changed; a member of another firm is not found (404).
 */
import { Router, type Request, type Response } from 'express';
import { ServiceError } from '../../../services/errors';
import { changeMemberRole, removeMember, type TeamActor } from '../../../services/team';
import { flash, requireRole } from '../../middleware/auth';
import { HttpError } from '../../middleware/errors';
import { actorOf, field } from './common';

export function teamMembersRouter(): Router {
  const r = Router();
  const by = (req: Request): TeamActor => ({ userId: req.user!.id, role: req.org!.role });

  const act = async (req: Request, res: Response, fn: () => Promise<string>) => {
    try {
      flash(req, 'success', await fn());
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      if (e.status === 404) throw new HttpError(404, 'not_found', 'team member not found');
      flash(req, 'error', `Nothing was changed: ${e.message.replace(/^[a-z]+: /, '')}`);
    }
    res.redirect(303, '/settings/team');
  };

  r.post('/:userId/role', requireRole('admin'), (req, res) =>
    act(req, res, async () => {
      const { member, changed } = await changeMemberRole(
        req.org!.scope,
        by(req),
        String(req.params.userId),
        field(req.body, 'role'),
        actorOf(req),
      );
      return changed
        ? `${member.email} is now ${member.role}.`
        : `${member.email} was already ${member.role}.`;
    }),
  );

  r.post('/:userId/remove', requireRole('admin'), (req, res) =>
    act(req, res, async () => {
      const { member, unassignedTasks } = await removeMember(
        req.org!.scope,
        by(req),
        String(req.params.userId),
        actorOf(req),
      );
      return `${member.email} was removed from the team${
        unassignedTasks ? `; ${unassignedTasks} open task(s) are unassigned again` : ''
      }.`;
    }),
  );
  return r;
}
