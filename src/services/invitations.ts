import { and, eq, gt, isNull } from 'drizzle-orm';
import type { AppContext } from '../app/context';
import { hashToken, randomToken } from '../crypto/tokens';
import type { Db } from '../db/client';
import { invitations, memberships, organizations, users, type Role } from '../db/schema';
import { OrgScope } from '../db/scope';
import { audit, type Actor } from './audit';
import { queueEmail } from './email';
import { ConflictError, NotFoundError, ValidationError } from './errors';
import { email as emailSchema, findUserByEmail, hashPassword, password as passwordSchema } from './users';

const INVITE_TTL_MS = 7 * 24 * 3600_000;

/** Invite a team member by e-mail: a single-use link, valid 7 days, stored hashed. */
export async function inviteMember(
  app: Pick<AppContext, 'db' | 'queue' | 'config'>,
  scope: OrgScope,
  input: { email: string; role: Role },
  actor: Actor,
): Promise<{ id: string; url: string }> {
  const parsedEmail = emailSchema.safeParse(input.email);
  if (!parsedEmail.success) throw new ValidationError('must be an e-mail address', 'email');
  if (!['admin', 'clerk', 'viewer'].includes(input.role))
    throw new ValidationError('must be admin, clerk or viewer', 'role');
  const address = parsedEmail.data;
  const existingUser = await findUserByEmail(app.db, address);
  if (existingUser) {
    const m = await scope.select(memberships, eq(memberships.userId, existingUser.id));
    if (m.length) throw new ConflictError(`${address} is already a member`);
  }
  const token = randomToken(32);
  const [row] = await scope
    .insert(invitations, {
      email: address,
      role: input.role,
      tokenHash: hashToken(token),
      invitedByUserId: actor.type === 'user' ? actor.id : null,
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
    })
    .returning({ id: invitations.id });
  const [org] = await app.db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, scope.organizationId));
  const url = `${app.config.BASE_URL}/invite/${token}`;
  await queueEmail(app, {
    organizationId: scope.organizationId,
    kind: 'invitation',
    idempotencyKey: `invitation:${row!.id}`,
    to: address,
    subject: `You are invited to ${org!.name} on Duely`,
    text: `Hello,\n\nYou have been invited to join ${org!.name} on Duely as ${input.role}.\n\nAccept the invitation (valid for 7 days):\n${url}\n\nIf you did not expect this, ignore this e-mail.`,
  });
  await audit(
    scope,
    actor,
    'member.invited',
    { type: 'invitation', id: row!.id },
    { email: address, role: input.role },
  );
  return { id: row!.id, url };
}

export async function findInvitation(db: Db, token: string) {
  const [row] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      organizationId: invitations.organizationId,
      organizationName: organizations.name,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(
      and(
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return row;
}

/** Accept: creates the user (or reuses an existing account) and the membership, once. */
export async function acceptInvitation(db: Db, token: string, input: { name: string; password: string }) {
  const inv = await findInvitation(db, token);
  if (!inv) throw new NotFoundError('invitation (invalid, used or expired)');
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const claimed = await t
      .update(invitations)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invitations.id, inv.id), isNull(invitations.acceptedAt)))
      .returning({ id: invitations.id });
    if (!claimed.length) throw new NotFoundError('invitation (already used)');
    let user = await findUserByEmail(t, inv.email);
    if (!user) {
      const pw = passwordSchema.safeParse(input.password);
      if (!pw.success) throw new ValidationError(pw.error.issues[0]!.message, 'password');
      [user] = await t
        .insert(users)
        .values({
          email: inv.email,
          name: input.name.trim() || null,
          passwordHash: await hashPassword(input.password),
        })
        .returning();
    }
    await t
      .insert(memberships)
      .values({ organizationId: inv.organizationId, userId: user!.id, role: inv.role })
      .onConflictDoNothing();
    await audit(
      new OrgScope(t, inv.organizationId),
      { type: 'user', id: user!.id },
      'member.joined',
      { type: 'user', id: user!.id },
      { role: inv.role },
    );
    return { ...user!, organizationId: inv.organizationId };
  });
}
