import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import {
  getSequence,
  importSequences,
  listSequences,
  type StoredSequence,
} from '../../../services/sequences';
import { HttpError } from '../../middleware/errors';

const present = (s: StoredSequence) => ({
  key: s.key,
  name: s.name,
  default: s.isDefault,
  version: s.version,
  steps: s.definition.steps,
});

/** A firm's reminder sequences (current versions); PUT imports one in the §5 format. */
export function sequencesApi(_app: AppContext): Router {
  const r = Router();
  r.get('/sequences', async (req, res) => {
    const list = await listSequences(req.apiAuth!.scope);
    res.json({ data: list.map(present), nextCursor: null });
  });
  r.get('/sequences/:key', async (req, res) => {
    res.json(present(await getSequence(req.apiAuth!.scope, req.params.key as string)));
  });
  r.put('/sequences/:key', async (req, res) => {
    const key = req.params.key as string;
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HttpError(400, 'invalid_request', 'send one sequence as a JSON object');
    if ('key' in body && body.key !== key)
      throw new HttpError(400, 'invalid_request', `key: must be "${key}" as in the path`);
    const auth = req.apiAuth!;
    const result = await importSequences(
      auth.scope,
      { ...body, key },
      { type: 'api_token', id: auth.tokenId },
    );
    const stored = await getSequence(auth.scope, key);
    res.status(result.sequences[0]?.status === 'created' ? 201 : 200).json(present(stored));
  });
  return r;
}
