/**
 * Forms with a file (a dispute message with an attachment) arrive as multipart/form-data, which
 * the URL-encoded parser leaves alone; csrf-sync reads the token from `req.body._csrf`. So these
 * forms are parsed here, after the session is loaded and *before* the CSRF check, which then
 * applies to them like to every other form. Only a signed-in clerk or an open portal session gets
 * a body parsed at all, in memory, one file, bounded by the largest attachment any firm may allow.
 * A file over that bound is not an error page: the route shows the form again with the message.
 */
import type { Request, RequestHandler } from 'express';
import multer from 'multer';

/** The largest `disputes.maxAttachmentBytes` a firm can set (services/policies.ts). */
export const UPLOAD_HARD_LIMIT = 20 * 1024 * 1024;

export type UploadProblem = 'too_large' | 'bad_form';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set when a multipart body could not be read whole (the form is shown again). */
      uploadProblem?: UploadProblem;
    }
  }
}

export function caseUploads(): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: UPLOAD_HARD_LIMIT, files: 1, fields: 50, fieldSize: 64 * 1024, parts: 60 },
  }).single('attachment');
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    if (!req.session?.portal?.tokenId && !req.user) return next();
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        req.uploadProblem = err.code === 'LIMIT_FILE_SIZE' ? 'too_large' : 'bad_form';
        return next();
      }
      next(err);
    });
  };
}

/**
 * The uploaded file, if any. Browsers send the file name as UTF-8 bytes that the parser reads as
 * Latin-1; read them back as UTF-8 when they are.
 */
export function uploadedFile(
  req: Request,
): { filename: string; contentType: string; content: Buffer } | null {
  const f = req.file;
  if (!f) return null;
  const raw = Buffer.from(f.originalname, 'latin1');
  const utf8 = raw.toString('utf8');
  const filename = utf8.includes('\uFFFD') ? f.originalname : utf8;
  return { filename, contentType: f.mimetype, content: f.buffer };
}
