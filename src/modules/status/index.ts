export { registerStatusRoutes } from './status.routes.js';
export {
  createStatusService,
  type ServiceStatus,
  type StatusDeps,
  type StatusService,
} from './status.service.js';
