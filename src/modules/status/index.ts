export { registerStatusRoutes } from './status.routes.js';
export { createStatusService } from './status.service.js';
