import { eq, lt } from 'drizzle-orm';
import session from 'express-session';
import type { Db } from '../../db/client';
import { sessions } from '../../db/schema';

type Cb<T = void> = (err?: unknown, value?: T) => void;

/** express-session store on the `sessions` table (PostgreSQL or PGlite alike). */
export class PgSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {
    super();
  }

  private expiry(sess: session.SessionData): Date {
    const maxAge = sess.cookie?.maxAge;
    return new Date(Date.now() + (typeof maxAge === 'number' ? maxAge : this.ttlMs));
  }

  override get(sid: string, cb: Cb<session.SessionData | null>): void {
    this.db
      .select()
      .from(sessions)
      .where(eq(sessions.sid, sid))
      .limit(1)
      .then(([row]) => {
        if (!row || row.expiresAt.getTime() <= Date.now()) return cb(null, null);
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
        () => cb?.(),
        (e: unknown) => cb?.(e),
      );
  }

  override destroy(sid: string, cb?: Cb): void {
    this.db
      .delete(sessions)
      .where(eq(sessions.sid, sid))
      .then(
        () => cb?.(),
        (e: unknown) => cb?.(e),
      );
  }

  override touch(sid: string, sess: session.SessionData, cb?: Cb): void {
    this.db
      .update(sessions)
      .set({ expiresAt: this.expiry(sess) })
      .where(eq(sessions.sid, sid))
      .then(
        () => cb?.(),
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
