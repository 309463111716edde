import { Router } from 'express';
import type { AppContext } from '../../../app/context';
import { customerActionsRouter } from './actions';
import { dataRequestsRouter } from './dataRequests';
import { customersListRouter } from './list';
import { customerPageRouter } from './page';

/** The customers list, the customer page with its actions and CSVs, and contacts' data requests. */
export function customersRouter(app: AppContext): Router {
  const r = Router();
  r.use(customersListRouter(app));
  r.use(dataRequestsRouter(app));
  r.use(customerActionsRouter(app));
  r.use(customerPageRouter(app));
  return r;
}
