export interface Usage {
  input_tokens: number;
  output_tokens: number;
}

export interface ChatDone {
  conversation_id: string;
  message_id: string;
  response: string;
  model: string;
  agent_version: string;
  usage: Usage;
  request_id: string;
}

export interface ConversationSummary {
  id: string;
  agent: string;
  title: string | null;
  tokens_used: number;
  created_at: string;
  updated_at: string;
}

export interface StoredMessage {
  role: 'user' | 'assistant';
  content: string;
  conversation_id: string;
  created_at: string;
}

export type TaskStatus = 'queued' | 'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'ready' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface TaskError {
  code?: string;
  message?: string;
  step?: string;
}

export interface TaskSummary {
  task_id: string;
  status: TaskStatus;
  title: string | null;
  description: string;
  user_id: string | null;
  agent: string;
  agent_version: string;
  result: string | null;
  error: TaskError | null;
  planner: string;
  planner_note: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface Step {
  step_id: string;
  key: string;
  tool: string;
  status: StepStatus;
  depends_on: string[];
  attempts: number;
  output: unknown;
  output_truncated: boolean;
  output_url: string | null;
  error: TaskError | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface Task extends TaskSummary {
  steps: Step[];
}

export interface Agent {
  name: string;
  description?: string;
  provider: string;
  model: string;
  version: string;
}

export interface ServiceStatus {
  version: string;
  store: { kind: string };
  ready: { status: 'ready' | 'not_ready'; checks: Array<{ name: string; ok: boolean; error?: string }> };
  queue: { waiting: number; active: number; delayed: number; failed: number; oldest_wait_ms: number | null };
  agents: Agent[];
  offline_model: boolean;
  llm: { provider: string; model: string | null; breakers: Array<{ provider: string; state: string }> };
}
