export type { Plan } from './plan.js';
export { createNotifyTaskEvents, type TaskEvent, type TaskEvents } from './task-events.js';
export { isFinal } from './task-status.js';
export { taskSummaryWire, taskWire } from './task-view.js';
export { createTasksModule, type TasksModule, type TasksModuleOptions } from './tasks.module.js';
export { taskStatuses, tasks } from './tasks.tables.js';
