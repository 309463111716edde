/**
 * Opens and clicks of reminder messages (opt-in per firm, see trackingSettings.ts): the first of
 * each sets `messages.opened_at` / `clicked_at` and adds one timeline activity; later ones change
 * nothing. A firm that turned tracking off records nothing more, even from e-mails already sent.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { AppContext } from '../../app/context';
import type { Db } from '../../db/client';
import { activities, messages, organizations } from '../../db/schema';
import { OrgScope } from '../../db/scope';
import { trackingOf } from './trackingSettings';

async function messageAndFirm(db: Db, messageId: string) {
  const [row] = await db
    .select({
      id: messages.id,
      organizationId: messages.organizationId,
      customerId: messages.customerId,
      invoiceIds: messages.invoiceIds,
      settings: organizations.settings,
    })
    .from(messages)
    .innerJoin(organizations, eq(organizations.id, messages.organizationId))
    .where(eq(messages.id, messageId));
  return row;
}

export async function recordOpen(app: Pick<AppContext, 'db' | 'now'>, messageId: string): Promise<boolean> {
  const m = await messageAndFirm(app.db, messageId);
  if (!m || !trackingOf(m).opens) return false;
  return app.db.transaction(async (txDb) => {
    const scope = new OrgScope(txDb as unknown as Db, m.organizationId);
    const first = await scope
      .update(messages, { openedAt: app.now() }, eq(messages.id, m.id), isNull(messages.openedAt))
      .returning({ id: messages.id });
    if (first.length === 0) return false;
    await scope.insert(activities, {
      customerId: m.customerId,
      kind: 'message.opened',
      actorType: 'customer',
      invoiceIds: m.invoiceIds,
      data: { messageId: m.id },
    });
    return true;
  });
}

/** `url` has been verified as one the message carried. */
export async function recordClick(
  app: Pick<AppContext, 'db' | 'now'>,
  messageId: string,
  url: string,
): Promise<boolean> {
  const m = await messageAndFirm(app.db, messageId);
  if (!m || !trackingOf(m).clicks) return false;
  return app.db.transaction(async (txDb) => {
    const scope = new OrgScope(txDb as unknown as Db, m.organizationId);
    const now = app.now();
    const first = await scope
      .update(messages, { clickedAt: now }, eq(messages.id, m.id), isNull(messages.clickedAt))
      .returning({ id: messages.id });
    if (first.length === 0) return false;
    // a click means it was opened, even when images were blocked
    await scope.update(messages, { openedAt: now }, and(eq(messages.id, m.id), isNull(messages.openedAt)));
    await scope.insert(activities, {
      customerId: m.customerId,
      kind: 'message.clicked',
      actorType: 'customer',
      invoiceIds: m.invoiceIds,
      // the portal link carries a secret: record which kind of link, not the URL
      data: {
        messageId: m.id,
        link: /\/p\/[A-Za-z0-9_-]+$/.test(new URL(url).pathname) ? 'portal' : new URL(url).origin,
      },
    });
    return true;
  });
}
