import { setTimeout as sleep } from 'node:timers/promises';

/** How the runner reaches Berth: its HTTP API in this process (inject) or over the network. */
export interface Transport {
  /** Where requests go: "in process" or the base URL. */
  readonly target: string;
  request(request: TransportRequest): Promise<TransportResponse>;
}
export interface TransportRequest {
  method: 'GET' | 'POST';
  /** Path and query, e.g. /api/tasks/<id>. */
  path: string;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal;
}
export interface TransportResponse {
  status: number;
  text: string;
}

/** A tool call of a chat turn (from its tool events) or a step of a task that ran. */
export interface ToolCall {
  tool: string;
  input: unknown;
  ok: boolean;
  /** The error code when it failed. */
  error?: string;
}

/** What one case's input produced. */
export interface Observation {
  /** The turn was answered / the task completed. */
  ok: boolean;
  error?: { code: string; message: string };
  /** The (last) reply or the task's result; the error message when it failed. */
  output: string;
  tools: ToolCall[];
  latencyMs: number;
  tokens?: { input: number; output: number };
  agentVersion?: string;
}

export interface AgentInfo {
  name: string;
  provider: string;
  model: string;
  version: string;
}

const errorOf = (status: number, text: string): { code: string; message: string } => {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return { code: body.error.code, message: body.error.message ?? '' };
  } catch {
    // Not Berth's envelope (a proxy's page): the status says what there is to say.
  }
  return { code: `http_${status}`, message: `HTTP ${status}: ${text.slice(0, 200)}` };
};

const failed = (error: { code: string; message: string }, started: number, tools: ToolCall[] = []) => ({
  ok: false,
  error,
  output: error.message,
  tools,
  latencyMs: Date.now() - started,
});

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseEvent[] {
  return text.split(/\r?\n\r?\n/).flatMap((block) => {
    const lines = block.split(/\r?\n/);
    const event = lines
      .find((l) => l.startsWith('event:'))
      ?.slice(6)
      .trim();
    const data = lines
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n');
    if (!event || !data) return [];
    try {
      return [{ event, data: JSON.parse(data) as Record<string, unknown> }];
    } catch {
      return [];
    }
  });
}

/** Tool calls in the order the model made them, each with how it ended. */
function toolCallsOf(events: SseEvent[]): ToolCall[] {
  const calls = new Map<string, ToolCall>();
  for (const { event, data } of events) {
    const id = String(data.id);
    if (event === 'tool_call') calls.set(id, { tool: String(data.tool), input: data.input, ok: false });
    if (event === 'tool_result') {
      const call = calls.get(id) ?? { tool: String(data.tool), input: undefined, ok: false };
      const error = data.error as { code?: string } | undefined;
      calls.set(id, { ...call, ok: data.ok === true, ...(error?.code ? { error: error.code } : {}) });
    }
  }
  return [...calls.values()];
}

interface StepWire {
  tool: string;
  input: unknown;
  status: string;
  attempts: number;
  error: { code?: string } | null;
  usage?: { input_tokens: number; output_tokens: number };
}
interface TaskWire {
  status: string;
  result: string | null;
  agent_version: string;
  error: { code?: string; message?: string } | null;
  steps: StepWire[];
}
const FINAL = new Set(['completed', 'failed', 'cancelled']);

export interface BerthClient {
  readonly target: string;
  agents(): Promise<AgentInfo[]>;
  /** One conversation: each message in turn; the observation is of the last reply. */
  chat(input: { agent?: string; messages: string[] }, signal: AbortSignal): Promise<Observation>;
  /** A task, waited for until it ends or the signal aborts (then it is cancelled). */
  task(input: { agent?: string; description: string }, signal: AbortSignal): Promise<Observation>;
  /** POST /api/evals: records a run on the server. */
  recordRun(report: unknown): Promise<TransportResponse>;
}

/** The target cannot be evaluated: unreachable, or it refused the run's first request (`status`). */
export class TargetError extends Error {
  override name = 'TargetError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The requests a run makes, over any transport. `pollMs`: how often a task is looked at when its event stream ended early (default 500). */
export function createBerthClient(transport: Transport, options: { pollMs?: number } = {}): BerthClient {
  const pollMs = options.pollMs ?? 500;

  async function chatTurn(body: Record<string, unknown>, signal: AbortSignal) {
    const reply = await transport.request({
      method: 'POST',
      path: '/api/chat',
      body,
      accept: 'text/event-stream',
      signal,
    });
    if (reply.status !== 200) return { error: errorOf(reply.status, reply.text), events: [] };
    const events = parseSse(reply.text);
    const failure = events.find((e) => e.event === 'error')?.data.error as
      | { code: string; message: string }
      | undefined;
    if (failure) return { error: failure, events };
    const done = events.find((e) => e.event === 'done')?.data;
    if (!done)
      return { error: { code: 'stream_incomplete', message: 'the reply ended without done' }, events };
    return { done, events };
  }

  /**
   * Waits for the task's end on its event stream (GET /api/tasks/:id/events ends after task.finished:
   * one request, and the latency is when it ended), then reads the whole task. Should the stream end
   * early (a server closing), the task is looked at every `pollMs` instead, a refused look (429) waited out.
   */
  async function waitForTask(id: string, signal: AbortSignal): Promise<TaskWire | undefined> {
    await transport
      .request({ method: 'GET', path: `/api/tasks/${id}/events`, accept: 'text/event-stream', signal })
      .catch(() => {});
    for (;;) {
      if (signal.aborted) return undefined;
      const reply = await transport
        .request({ method: 'GET', path: `/api/tasks/${id}`, signal })
        .catch(() => undefined);
      if (reply?.status === 200) {
        const task = JSON.parse(reply.text) as TaskWire;
        if (FINAL.has(task.status)) return task;
      } else if (reply && reply.status !== 429 && reply.status < 500) {
        throw new TargetError(errorOf(reply.status, reply.text).message);
      }
      await sleep(pollMs, undefined, { signal }).catch(() => {});
    }
  }

  return {
    target: transport.target,

    async agents() {
      const reply = await transport.request({ method: 'GET', path: '/api/agents' });
      if (reply.status !== 200) {
        const { code, message } = errorOf(reply.status, reply.text);
        throw new TargetError(
          `GET /api/agents on ${transport.target} answered ${reply.status} ${code}: ${message}`,
          reply.status,
        );
      }
      return (JSON.parse(reply.text) as { agents: AgentInfo[] }).agents;
    },

    async chat(input, signal) {
      const started = Date.now();
      let conversationId: string | undefined;
      const tokens = { input: 0, output: 0 };
      let last: Observation | undefined;
      for (const message of input.messages) {
        const body = {
          message,
          ...(conversationId ? { conversation_id: conversationId } : { agent: input.agent }),
        };
        const turn = await chatTurn(body, signal).catch((error: Error) => ({
          error: { code: signal.aborted ? 'timeout' : 'unreachable', message: error.message },
          events: [],
        }));
        if ('error' in turn && turn.error) return failed(turn.error, started, toolCallsOf(turn.events));
        const done = (turn as { done: Record<string, unknown> }).done;
        const usage = done.usage as { input_tokens: number; output_tokens: number };
        tokens.input += usage.input_tokens;
        tokens.output += usage.output_tokens;
        conversationId = String(done.conversation_id);
        last = {
          ok: true,
          output: String(done.response),
          tools: toolCallsOf(turn.events),
          latencyMs: 0,
          agentVersion: String(done.agent_version),
        };
      }
      return { ...(last as Observation), tokens, latencyMs: Date.now() - started };
    },

    async task(input, signal) {
      const started = Date.now();
      const created = await transport.request({
        method: 'POST',
        path: '/api/tasks',
        body: { description: input.description, ...(input.agent ? { agent: input.agent } : {}) },
        signal,
      });
      if (created.status !== 202) return failed(errorOf(created.status, created.text), started);
      const id = (JSON.parse(created.text) as { task_id: string }).task_id;
      const task = await waitForTask(id, signal);
      if (!task) {
        await transport.request({ method: 'POST', path: `/api/tasks/${id}/cancel` }).catch(() => {});
        return failed(
          { code: 'timeout', message: `task ${id} had not ended when the case timed out` },
          started,
        );
      }
      const ran = task.steps.filter((s) => s.attempts > 0);
      const tools = ran.map((s) => ({
        tool: s.tool,
        input: s.input,
        ok: s.status === 'completed',
        ...(s.error?.code ? { error: s.error.code } : {}),
      }));
      const tokens = task.steps.reduce(
        (sum, s) => ({
          input: sum.input + (s.usage?.input_tokens ?? 0),
          output: sum.output + (s.usage?.output_tokens ?? 0),
        }),
        { input: 0, output: 0 },
      );
      const base = { tools, tokens, agentVersion: task.agent_version, latencyMs: Date.now() - started };
      if (task.status === 'completed') return { ...base, ok: true, output: task.result ?? '' };
      const error = {
        code: task.error?.code ?? task.status,
        message: task.error?.message ?? `the task was ${task.status}`,
      };
      return { ...base, ok: false, error, output: error.message };
    },

    recordRun: (report) => transport.request({ method: 'POST', path: '/api/evals', body: report }),
  };
}

/** Berth's API over the network; `key` goes in `Authorization: Bearer`. */
export function httpTransport(baseUrl: string, key?: string): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    target: base,
    async request({ method, path, body, accept, signal }) {
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          headers: {
            ...(key ? { authorization: `Bearer ${key}` } : {}),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(accept ? { accept } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new TargetError(
          `cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        );
      }
      return { status: response.status, text: await response.text() };
    },
  };
}
