import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { apiAuth } from '../../middleware/apiAuth';
import { HttpError } from '../../middleware/errors';
import { connectionsApi } from './connections';
import { customersApi } from './customers';
import { disputesApi } from './disputes';
import { invoicesApi } from './invoices';
import { messagesApi } from './messages';
import { openApiDocument } from './openapi';
import { promisesApi } from './promises';
import { reportsApi } from './reports';
import { sequencesApi } from './sequences';
import { tasksApi } from './tasks';
import { templatesApi } from './templates';

/** `/api/v1`: JSON, bearer API tokens, every query scoped to the token's firm. */
export function apiRouter(app: AppContext): Router {
  const r = Router();
  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument(app.config.BASE_URL));
  });
  r.use(apiAuth(app));
  r.use(customersApi(app));
  r.use(invoicesApi(app));
  r.use(reportsApi(app));
  r.use(connectionsApi(app));
  r.use(sequencesApi(app));
  r.use(messagesApi(app));
  r.use(templatesApi(app));
  r.use(tasksApi(app));
  r.use(promisesApi(app));
  r.use(disputesApi(app));
  r.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'no such API endpoint')));
  return r;
}
