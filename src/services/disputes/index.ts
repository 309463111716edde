/** Disputes and requests: open, answer, resolve, assign, and read them. */
export { getAttachment, type AttachmentFile, type AttachmentInput } from './attachments';
export { openDispute, MESSAGE_MAX, type DisputeRow, type OpenDisputeInput } from './open';
export {
  disputableInvoices,
  disputeInbox,
  getDisputeThread,
  listDisputes,
  type DisputeFilter,
  type DisputeThread,
  type DisputeView,
  type ThreadMessage,
} from './queries';
export { replyToDispute, type ReplyContext, type ReplyInput } from './reply';
export { assignDispute, setDisputeStatus } from './status';
export {
  CATEGORY_LABELS,
  categoriesFor,
  categoryLabel,
  kindNoun,
  outcomeLabel,
  OUTCOME_LABELS,
} from './words';
