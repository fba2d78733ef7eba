/** Span attributes Berth adds beyond the semantic conventions (docs/observability.md lists them). */
export const ATTR_REQUEST_ID = 'berth.request_id';
export const ATTR_TASK_ID = 'berth.task.id';
export const ATTR_STEP_ID = 'berth.step.id';
export const ATTR_STEP_KEY = 'berth.step.key';
export const ATTR_STEP_ATTEMPT = 'berth.step.attempt';
export const ATTR_AGENT = 'berth.agent';
export const ATTR_OUTCOME = 'berth.outcome';
