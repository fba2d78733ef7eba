import { taskStatuses } from './tasks.tables.js';

export const taskStatusList = taskStatuses;
export const isFinal = (status: string): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled';
