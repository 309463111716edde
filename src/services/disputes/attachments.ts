/**
 * Files on a dispute's thread: checked by content and size before anything is written, kept in
 * the database with their SHA-256, served only to the firm or to the case's own customer.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { attachments, disputes } from '../../db/schema';
import { isUuid, type OrgScope } from '../../db/scope';
import { checkAttachment } from '../../domain/attachments';
import { NotFoundError, ValidationError } from '../errors';

export interface AttachmentInput {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface CheckedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Validate an upload (field `attachment`); null when there is none. */
export function checkedAttachment(
  file: AttachmentInput | null | undefined,
  maxBytes: number,
): CheckedAttachment | null {
  if (!file) return null;
  if (!Buffer.isBuffer(file.content)) throw new ValidationError('is not a file', 'attachment');
  const r = checkAttachment({ filename: file.filename ?? '', content: file.content }, maxBytes);
  if (!r.ok) throw new ValidationError(r.message, 'attachment');
  return { filename: r.filename, contentType: r.contentType, content: file.content };
}

export async function storeAttachment(
  scope: OrgScope,
  p: { disputeId: string; messageId: string; file: CheckedAttachment },
): Promise<string> {
  const [row] = await scope
    .insert(attachments, {
      disputeId: p.disputeId,
      messageId: p.messageId,
      filename: p.file.filename,
      contentType: p.file.contentType,
      size: p.file.content.length,
      sha256: createHash('sha256').update(p.file.content).digest('hex'),
      content: p.file.content,
    })
    .returning({ id: attachments.id });
  return row!.id;
}

export interface AttachmentFile {
  id: string;
  disputeId: string;
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

/** One attachment; with `customerId`, only when its case is that customer's (404 otherwise). */
export async function getAttachment(
  scope: OrgScope,
  attachmentId: string,
  opts: { customerId?: string; disputeId?: string } = {},
): Promise<AttachmentFile> {
  if (!isUuid(attachmentId)) throw new NotFoundError('attachment');
  const [row] = await scope.db
    .select({
      id: attachments.id,
      disputeId: attachments.disputeId,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
      content: attachments.content,
      customerId: disputes.customerId,
    })
    .from(attachments)
    .innerJoin(
      disputes,
      and(eq(disputes.id, attachments.disputeId), eq(disputes.organizationId, attachments.organizationId)),
    )
    .where(scope.where(attachments, eq(attachments.id, attachmentId)))
    .limit(1);
  if (!row) throw new NotFoundError('attachment');
  if (opts.customerId !== undefined && row.customerId !== opts.customerId)
    throw new NotFoundError('attachment');
  if (opts.disputeId !== undefined && row.disputeId !== opts.disputeId) throw new NotFoundError('attachment');
  const { customerId: _customer, ...file } = row;
  return file;
}
