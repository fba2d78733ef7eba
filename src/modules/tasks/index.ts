export { type Plan, type PlannedStep, validatePlan } from './plan.js';
export { rulePlan } from './rule-planner.js';
export { stepJob } from './step-job.js';
export {
  createInProcessTaskEvents,
  createNotifyTaskEvents,
  isTaskEvent,
  type TaskEvent,
  type TaskEvents,
} from './task-events.js';
export { isFinal } from './task-status.js';
export { taskSummaryWire, taskWire } from './task-view.js';
export { createTasksModule, type TasksModule, type TasksModuleOptions } from './tasks.module.js';
export {
  type StepStatus,
  stepStatuses,
  steps,
  type TaskStatus,
  taskStatuses,
  tasks,
} from './tasks.tables.js';
