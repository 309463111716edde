import argon2 from 'argon2';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { memberships, organizations, users, type Role } from '../db/schema';
import { OrgScope } from '../db/scope';
import { audit, type Actor } from './audit';
import { ConflictError, ValidationError, zodMessage } from './errors';

export type User = typeof users.$inferSelect;
export const ROLES: readonly Role[] = ['owner', 'admin', 'clerk', 'viewer'];
/** Higher can do everything lower can. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, clerk: 1, admin: 2, owner: 3 };

export const email = z.string().trim().toLowerCase().email('must be an e-mail address').max(254);
export const password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

/** argon2id with OWASP's recommended parameters. */
export const hashPassword = (plain: string) =>
  argon2.hash(plain, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/** A hash to verify against when the user does not exist, so timing does not reveal it. */
let dummyHash: Promise<string> | null = null;

export async function findUserByEmail(db: Db, address: string): Promise<User | undefined> {
  const [u] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${address.trim().toLowerCase()}`)
    .limit(1);
  return u;
}

/** Check a password; returns the user or null (same time either way). */
export async function verifyCredentials(db: Db, address: string, plain: string): Promise<User | null> {
  const user = await findUserByEmail(db, address);
  if (!user?.passwordHash) {
    dummyHash ??= hashPassword('not-a-real-password-123');
    await argon2.verify(await dummyHash, plain).catch(() => false);
    return null;
  }
  const ok = await argon2.verify(user.passwordHash, plain);
  if (!ok) return null;
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  return user;
}

export const createUserInput = z.object({
  organizationId: z.string().uuid(),
  email,
  name: z.string().trim().max(200).optional(),
  role: z.enum(['owner', 'admin', 'clerk', 'viewer'], { message: 'must be owner, admin, clerk or viewer' }),
  password,
});

/**
 * Create a user with a membership in the firm, or add the membership to an existing user
 * (whose password is then not changed).
 */
export async function createUser(
  db: Db,
  input: z.input<typeof createUserInput>,
  actor: Actor,
): Promise<User> {
  const parsed = createUserInput.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ValidationError(message.replace(/^[^:]+: /, ''), field);
  }
  const v = parsed.data;
  return db.transaction(async (tx) => {
    let user = await findUserByEmail(tx as unknown as Db, v.email);
    if (!user) {
      [user] = await tx
        .insert(users)
        .values({ email: v.email, name: v.name ?? null, passwordHash: await hashPassword(v.password) })
        .returning();
    }
    const existing = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.organizationId, v.organizationId), eq(memberships.userId, user!.id)));
    if (existing.length) throw new ConflictError(`${v.email} is already a member of this organization`);
    await tx.insert(memberships).values({ organizationId: v.organizationId, userId: user!.id, role: v.role });
    await audit(
      new OrgScope(tx, v.organizationId),
      actor,
      'member.added',
      { type: 'user', id: user!.id },
      { email: v.email, role: v.role },
    );
    return user!;
  });
}

export interface MembershipView {
  organizationId: string;
  organizationName: string;
  slug: string;
  role: Role;
}

export async function membershipsOf(db: Db, userId: string): Promise<MembershipView[]> {
  return db
    .select({
      organizationId: memberships.organizationId,
      organizationName: organizations.name,
      slug: organizations.slug,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
    .where(eq(memberships.userId, userId))
    .orderBy(organizations.name);
}

export async function roleIn(db: Db, userId: string, organizationId: string): Promise<Role | null> {
  const [m] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId)));
  return m?.role ?? null;
}
