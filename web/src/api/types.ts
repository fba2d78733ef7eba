// The UI's names for the API's types. They are read from schema.ts, which is generated from the
// server's OpenAPI document (`npm run api-types`), so a change to a route's schema shows up here as a
// type error instead of a surprise at run time. Only the SSE payloads at the end are written by hand.
import type { paths } from './schema';

type Responses<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R
  : never;
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body a route answers with the given status. */
export type Reply<P extends keyof paths, M extends keyof paths[P], S extends keyof Responses<P, M>> = JsonOf<
  Responses<P, M>[S]
>;

/** The JSON body a route accepts. */
export type RequestBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody: infer B;
}
  ? JsonOf<B>
  : never;

/** `{ error: { code, message, details?, request_id } }`: every error answer has this shape. */
export type ErrorReply = Reply<'/api/tasks/{id}', 'get', 404>;

export type ChatRequest = RequestBody<'/api/chat', 'post'>;
/** The JSON reply of a chat turn; a streamed turn ends with a `done` event that has the same fields. */
export type ChatDone = Reply<'/api/chat', 'post', 200>;
export type Usage = ChatDone['usage'];

export type Conversations = Reply<'/api/conversations', 'get', 200>;
export type ConversationSummary = Conversations['conversations'][number];
export type Conversation = Reply<'/api/conversations/{id}', 'get', 200>;
export type StoredMessage = Conversation['messages'][number];

export type CreateTask = RequestBody<'/api/tasks', 'post'>;
export type TaskAccepted = Reply<'/api/tasks', 'post', 202>;
export type TaskList = Reply<'/api/tasks', 'get', 200>;
export type TaskSummary = TaskList['tasks'][number];
export type Task = Reply<'/api/tasks/{id}', 'get', 200>;
export type TaskStatus = Task['status'];
export type Step = Task['steps'][number];
/** The server declares a step's status as any string, not as its list of statuses. */
export type StepStatus = Step['status'];
export type StepOutput = Reply<'/api/tasks/{id}/steps/{step_id}/output', 'get', 200>;

export type ApprovalList = Reply<'/api/approvals', 'get', 200>;
export type Approval = Reply<'/api/approvals/{id}', 'get', 200>;
export type ApprovalStatus = Approval['status'];
export type ApproveBody = RequestBody<'/api/approvals/{id}/approve', 'post'>;
export type RejectBody = RequestBody<'/api/approvals/{id}/reject', 'post'>;

export type ServiceStatus = Reply<'/api/status', 'get', 200>;
export type Agent = ServiceStatus['agents'][number];

// SSE payloads, by event name. The OpenAPI document describes a stream only in words (the route's
// description), so these are written by hand from src/modules/chat/chat.routes.ts and
// src/modules/tasks/task-events.ts; every field they share with a JSON reply is taken from it.

type ErrorFields = Pick<ErrorReply['error'], 'code' | 'message'>;

/** Events of `POST /api/chat` with `Accept: text/event-stream`. */
export interface ChatEvents {
  start: Pick<ChatDone, 'conversation_id' | 'agent_version' | 'request_id'>;
  token: { delta: string };
  /** `input` is a preview of the tool's arguments. */
  tool_call: { id: string; tool: Step['tool']; input: unknown };
  tool_result: { id: string; tool: Step['tool']; ok: boolean; error?: ErrorFields };
  done: ChatDone;
  error: ErrorReply;
}

type StepEvent<T extends string> = Pick<Step, 'step_id' | 'key' | 'tool'> & {
  type: T;
  task_id: Task['task_id'];
};

/** Events of `GET /api/tasks/{id}/events`: a `snapshot` first, then these as they happen. */
export interface TaskEvents {
  snapshot: Task;
  'step.started': StepEvent<'step.started'> & { attempt: Step['attempts'] };
  'step.completed': StepEvent<'step.completed'> & { duration_ms: number };
  'step.retrying': StepEvent<'step.retrying'> & { error: ErrorFields; retry_at: string };
  'step.failed': StepEvent<'step.failed'> & { error: ErrorFields };
  /** A side-effecting step paused until its approval is decided. */
  'step.awaiting_approval': StepEvent<'step.awaiting_approval'> & Pick<Approval, 'approval_id' | 'args_hash'>;
  'task.finished': Pick<Task, 'task_id' | 'status' | 'result' | 'error'> & { type: 'task.finished' };
}
