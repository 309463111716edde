import { eq, lt, sql } from 'drizzle-orm';
import session from 'express-session';
import type { Db } from '../../db/client';
import { sessions } from '../../db/schema';

type Cb<T = void> = (err?: unknown, value?: T) => void;

/** The stored expiry of sessions this process read or wrote lately (bounded). */
const KNOWN_LIMIT = 50_000;

/**
 * express-session store on the `sessions` table (PostgreSQL or PGlite alike). Sessions roll: every
 * request moves the expiry. Writing that on every request costs a committed UPDATE per page, so
 * `touch` skips the write while the stored expiry is within a small slack (5 minutes, or a tenth
 * of the lifetime when shorter) of the new one; a session then ends at most that much early.
 */
export class PgSessionStore extends session.Store {
  private readonly known = new Map<string, number>();
  private readonly slackMs: number;
  /** Read on every request: prepared once (building the query cost more than running it). */
  private readonly getQuery;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {
    super();
    this.slackMs = Math.min(5 * 60_000, Math.floor(ttlMs / 10));
    this.getQuery = db
      .select()
      .from(sessions)
      .where(eq(sessions.sid, sql.placeholder('sid')))
      .limit(1)
      .prepare('session_get');
  }

  private remember(sid: string, expiresAt: Date): void {
    if (this.known.size >= KNOWN_LIMIT) this.known.clear();
    this.known.set(sid, expiresAt.getTime());
  }

  private expiry(sess: session.SessionData): Date {
    const maxAge = sess.cookie?.maxAge;
    return new Date(Date.now() + (typeof maxAge === 'number' ? maxAge : this.ttlMs));
  }

  override get(sid: string, cb: Cb<session.SessionData | null>): void {
    this.getQuery.execute({ sid }).then(([row]) => {
      if (!row || row.expiresAt.getTime() <= Date.now()) return cb(null, null);
      this.remember(sid, row.expiresAt);
      cb(null, row.sess as session.SessionData);
    }, cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: Cb): void {
    const expiresAt = this.expiry(sess);
    this.db
      .insert(sessions)
      .values({ sid, sess, expiresAt })
      .onConflictDoUpdate({ target: sessions.sid, set: { sess, expiresAt } })
      .then(
        () => {
          this.remember(sid, expiresAt);
          cb?.();
        },
        (e: unknown) => cb?.(e),
      );
  }

  override destroy(sid: string, cb?: Cb): void {
    this.known.delete(sid);
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(
        () => cb?.(),
        (e: unknown) => cb?.(e),
      );
  }

  override touch(sid: string, sess: session.SessionData, cb?: Cb): void {
    const expiresAt = this.expiry(sess);
    const stored = this.known.get(sid);
    if (stored !== undefined && expiresAt.getTime() - stored < this.slackMs) {
      cb?.();
      return;
    }
    this.db
      .update(sessions)
      .set({ expiresAt })
      .where(eq(sessions.sid, sid))
      .then(
        () => {
          this.remember(sid, expiresAt);
          cb?.();
        },
        (e: unknown) => cb?.(e),
      );
  }

  /** Delete expired sessions (run by a scheduled job). */
  async prune(): Promise<number> {
    const rows = await this.db
      .delete(sessions)
      .where(lt(sessions.expiresAt, new Date()))
      .returning({ sid: sessions.sid });
    return rows.length;
  }
}
