import { schema } from '../../platform/db/index.js';

export const taskStatusList = schema.taskStatuses;
export const isFinal = (status: string): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled';
