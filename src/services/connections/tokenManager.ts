import { and, eq, sql } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import { ConnectorError } from '../../../connectors/errors';
import type { OAuthTokens } from '../../../connectors/types';
import type { Queryable } from '../../db/client';
import { connections } from '../../db/schema';
import { getLogger } from '../../logging/logger';
import { markNeedsReconnect } from './health';
import { openTokens, sealedTokenColumns } from './tokenStore';

const log = getLogger('tokens');
/** Refresh this long before the access token expires. */
export const REFRESH_AHEAD_MS = 5 * 60_000;
/** Xero accepts the previous refresh token for 30 minutes after a rotation. */
const PREVIOUS_TOKEN_GRACE_MS = 30 * 60_000;

const inflight = new Map<string, Promise<string>>();

type Row = typeof connections.$inferSelect;

async function readRow(db: Queryable, connectionId: string, lock = false): Promise<Row> {
  const q = db.select().from(connections).where(eq(connections.id, connectionId));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw new ConnectorError('permanent', 'connection not found');
  return row;
}

/**
 * A valid access token for the connection. Refreshes ahead of expiry with ONE refresh at a time
 * per connection: callers in this process share one in-flight refresh, and on PostgreSQL a row
 * lock makes other processes wait and re-read what the first one stored. The rotated refresh
 * token is saved (committed) before the new access token is used.
 */
export async function getAccessToken(
  app: AppContext,
  connectionId: string,
  force = false,
  rejected?: string,
): Promise<string> {
  if (!force) {
    const row = await readRow(app.db, connectionId);
    const t = openTokens(app.keyRing, row);
    if (
      t.accessToken &&
      t.accessTokenExpiresAt &&
      t.accessTokenExpiresAt.getTime() - app.now().getTime() > REFRESH_AHEAD_MS
    )
      return t.accessToken;
  }
  const running = inflight.get(connectionId);
  if (running) return running;
  const p = refresh(app, connectionId, force ? rejected : undefined).finally(() =>
    inflight.delete(connectionId),
  );
  inflight.set(connectionId, p);
  return p;
}

/**
 * Whether the platform still honours the connection's grant: one real refresh (the stored access
 * token counts as rejected, so the platform is asked). A refused grant is reported, not marked:
 * the caller decides what it means (Intuit's disconnect landing page disconnects).
 */
export async function grantIsAlive(app: AppContext, connectionId: string): Promise<boolean> {
  const running = inflight.get(connectionId);
  try {
    if (running) await running;
    else {
      const current = openTokens(app.keyRing, await readRow(app.db, connectionId)).accessToken;
      const p = refresh(app, connectionId, current ?? undefined, false).finally(() =>
        inflight.delete(connectionId),
      );
      inflight.set(connectionId, p);
      await p;
    }
    return true;
  } catch (e) {
    if (e instanceof ConnectorError && e.kind === 'needs_reconnect') return false;
    throw e;
  }
}

async function refresh(
  app: AppContext,
  connectionId: string,
  rejected: string | undefined,
  markRefused = true,
): Promise<string> {
  const run = async (db: Queryable): Promise<string> => {
    const row = await readRow(db, connectionId, app.database.kind === 'postgres');
    if (row.status !== 'connected')
      throw new ConnectorError('needs_reconnect', `connection is ${row.status.replace('_', ' ')}`);
    const cur = openTokens(app.keyRing, row);
    // someone refreshed while we waited for the lock: use theirs
    const fresh =
      cur.accessTokenExpiresAt && cur.accessTokenExpiresAt.getTime() - app.now().getTime() > REFRESH_AHEAD_MS;
    if (cur.accessToken && fresh && cur.accessToken !== rejected) return cur.accessToken;
    if (!cur.refreshToken) throw new ConnectorError('needs_reconnect', 'no refresh token stored');
    const connector = app.connectors.get(row.platform);
    let tokens: OAuthTokens;
    try {
      tokens = await withRetry(() => connector.oauth.refresh(cur.refreshToken!));
    } catch (e) {
      const withinGrace =
        row.tokenRefreshedAt &&
        app.now().getTime() - row.tokenRefreshedAt.getTime() < PREVIOUS_TOKEN_GRACE_MS;
      if (
        e instanceof ConnectorError &&
        e.kind === 'needs_reconnect' &&
        cur.previousRefreshToken &&
        withinGrace
      ) {
        log.warn(
          { connectionId },
          'refresh token rejected; retrying with the previous one within the grace period',
        );
        tokens = await connector.oauth.refresh(cur.previousRefreshToken);
      } else throw e;
    }
    const columns = sealedTokenColumns(app.keyRing, connectionId, tokens, cur.refreshToken);
    await db
      .update(connections)
      .set({ ...columns, updatedAt: new Date() })
      .where(eq(connections.id, connectionId));
    if (row.grantKey) await shareWithGrant(app, db, row, tokens, cur.refreshToken);
    log.info(
      { connectionId, platform: row.platform, expiresAt: tokens.accessTokenExpiresAt },
      'access token refreshed',
    );
    return tokens.accessToken;
  };
  try {
    // PGlite is one connection in one process: the in-process single flight is the lock there,
    // and holding a transaction across an HTTP call would stall every other query.
    return app.database.kind === 'postgres' ? await app.db.transaction((tx) => run(tx)) : await run(app.db);
  } catch (e) {
    if (markRefused && e instanceof ConnectorError && e.kind === 'needs_reconnect')
      await markNeedsReconnect(app, connectionId, e.message);
    throw e;
  }
}

/** Other connections of the same grant get the same (sealed per row) tokens. */
async function shareWithGrant(
  app: AppContext,
  db: Queryable,
  row: Row,
  tokens: OAuthTokens,
  previous: string,
): Promise<void> {
  const siblings = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.grantKey, row.grantKey!), sql`${connections.id} <> ${row.id}`));
  for (const s of siblings) {
    await db
      .update(connections)
      .set({ ...sealedTokenColumns(app.keyRing, s.id, tokens, previous), updatedAt: new Date() })
      .where(eq(connections.id, s.id));
  }
}

/** A lost refresh response (timeout) is retried with the same token: the platform's grace covers it. */
async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof ConnectorError) || e.kind !== 'retryable' || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
