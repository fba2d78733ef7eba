// A steady, open-loop mix of chat and task operations against one Berth API on loopback, with the
// outcome and latency of each. Operations start on a fixed schedule whatever the server does, so a
// server that slows down shows as a growing backlog and falling throughput, not as a slower client.
import { quantile, type TrafficSample } from './soak-report.js';

export type Operation = 'chat' | 'chat_sse' | 'task_pages' | 'task_plain';

/** Every 10 operations: 5 chat turns, 1 streamed chat turn, 3 tasks over fixture pages, 1 task without a URL. */
export const MIX: Operation[] = [
  'chat',
  'task_pages',
  'chat',
  'chat_sse',
  'task_pages',
  'chat',
  'task_plain',
  'chat',
  'task_pages',
  'chat',
];

export interface LoadOptions {
  apiUrl: string;
  /** Base URL of the loopback fixture site, which serves /p0 … /p7. */
  siteUrl: string;
  /** Operations started per second. */
  rate: number;
  /** An operation not finished after this long counts as an error (default 60 s). */
  timeoutMs?: number;
  /** Operations in flight beyond which new ones are skipped and counted as errors (default 200). */
  maxInFlight?: number;
}

const CHAT_MESSAGES = [
  'Summarise: The harbour opens at six. Ships queue outside the breakwater until the pilot boards. Cargo is unloaded by crane and stored in the sheds by the quay.',
  'hello, what can you do?',
  'Summarise: Berth runs agents. It keeps the history of every conversation. Tasks run in the background and their steps are recorded.',
  // A link the offline model offers to summarise as a task; .invalid (RFC 2606) never resolves, and
  // chat fetches nothing anyway (no tools unless an agent lists them).
  'Can you look at https://harbour.invalid/timetable later?',
];

class OperationError extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}

export class Load {
  private started = 0;
  private finished: Array<{ ms: number; ok: boolean }> = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly conversations = new Map<string, string>();
  private readonly turns = new Map<string, number>();
  readonly errorKinds: Record<string, number> = {};
  readonly operations: Record<string, number> = {};
  /** The last few errors in full, for the report. */
  readonly errorExamples: string[] = [];

  constructor(private readonly options: LoadOptions) {}

  /** Starts operations on schedule until `stop` (or until `count` have started). */
  start(count: number): void {
    const period = 1000 / this.options.rate;
    const t0 = performance.now();
    const tick = () => {
      // Catch up on the schedule after a late timer rather than drifting below the rate.
      while (this.started < count && performance.now() >= t0 + this.started * period)
        this.launch(this.started++);
      if (this.started < count)
        this.timer = setTimeout(tick, Math.max(0, t0 + this.started * period - performance.now()));
    };
    tick();
  }

  /** Stops starting operations and waits for those in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.started = Number.POSITIVE_INFINITY;
    await Promise.allSettled([...this.running]);
  }

  /** What finished since the previous call, as one traffic sample; `controlLagP99Ms` is the caller's to measure. */
  sample(t: number, intervalS: number, controlLagP99Ms = Number.NaN): TrafficSample {
    const done = this.finished;
    this.finished = [];
    const ok = done.filter((d) => d.ok).map((d) => d.ms);
    return {
      t,
      okPerSecond: ok.length / intervalS,
      errors: done.length - ok.length,
      p50Ms: quantile(ok, 0.5),
      p99Ms: quantile(ok, 0.99),
      inFlight: this.inFlight,
      controlLagP99Ms,
    };
  }

  private launch(i: number): void {
    const kind = MIX[i % MIX.length] as Operation;
    this.operations[kind] = (this.operations[kind] ?? 0) + 1;
    if (this.inFlight >= (this.options.maxInFlight ?? 200)) {
      this.record(0, 'backlog_full');
      return;
    }
    this.inFlight++;
    const begun = performance.now();
    const run = this.run(kind, i, AbortSignal.timeout(this.options.timeoutMs ?? 60_000))
      .then(
        () => this.record(performance.now() - begun),
        (error: unknown) => this.record(performance.now() - begun, errorKind(kind, error), error),
      )
      .finally(() => {
        this.inFlight--;
        this.running.delete(run);
      });
    this.running.add(run);
  }

  private record(ms: number, errorKind?: string, error?: unknown): void {
    this.finished.push({ ms, ok: !errorKind });
    if (!errorKind) return;
    this.errorKinds[errorKind] = (this.errorKinds[errorKind] ?? 0) + 1;
    if (this.errorExamples.length < 10)
      this.errorExamples.push(`${errorKind}: ${String(error ?? '')}`.slice(0, 500));
  }

  private run(kind: Operation, i: number, signal: AbortSignal): Promise<void> {
    switch (kind) {
      case 'chat':
        return this.chat(i, false, signal);
      case 'chat_sse':
        return this.chat(i, true, signal);
      case 'task_pages': {
        // One page or two (a fan-out and a join), over the eight pages in turn.
        const a = `${this.options.siteUrl}/p${i % 8}`;
        const description =
          i % 3 ? `Summarize ${a}` : `Summarize ${a} and ${this.options.siteUrl}/p${(i + 1) % 8}`;
        return this.task(description, signal);
      }
      case 'task_plain':
        return this.task(`Write a short note about harbour number ${i % 50}`, signal);
    }
  }

  private async chat(i: number, stream: boolean, signal: AbortSignal): Promise<void> {
    // Eight users; each keeps its conversation for 25 turns, then starts a new one, well before the
    // conversation's token budget (200 000 by default; a turn here spends ~1 000) runs out.
    const user = `soak-${i % 8}`;
    const turn = this.turns.get(user) ?? 0;
    this.turns.set(user, turn + 1);
    const conversation = turn % 25 ? this.conversations.get(user) : undefined;
    const response = await fetch(`${this.options.apiUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(stream ? { accept: 'text/event-stream' } : {}) },
      body: JSON.stringify({
        message: CHAT_MESSAGES[turn % CHAT_MESSAGES.length],
        user_id: user,
        ...(conversation ? { conversation_id: conversation } : {}),
      }),
      signal,
    });
    if (response.status !== 200) throw await httpError('chat', response);
    if (!stream) {
      const body = (await response.json()) as { conversation_id?: string; response?: string };
      if (!body.response || !body.conversation_id) throw new OperationError('chat_empty_response');
      this.conversations.set(user, body.conversation_id);
      return;
    }
    const events = parseSse(await response.text());
    const done = events.at(-1);
    if (done?.event !== 'done') throw new OperationError(`chat_sse_ended_with_${done?.event ?? 'nothing'}`);
    const data = done.data as { conversation_id?: string };
    if (data.conversation_id) this.conversations.set(user, data.conversation_id);
  }

  private async task(description: string, signal: AbortSignal): Promise<void> {
    const created = await fetch(`${this.options.apiUrl}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description }),
      signal,
    });
    if (created.status !== 202) throw await httpError('task_create', created);
    const { task_id: id } = (await created.json()) as { task_id: string };
    // Follow it to the end over SSE, as the UI does: in distributed mode the events cross processes.
    const events = await fetch(`${this.options.apiUrl}/api/tasks/${id}/events`, { signal });
    if (events.status !== 200) throw await httpError('task_events', events);
    const finished = parseSse(await events.text()).find((e) => e.event === 'task.finished');
    if (!finished) throw new OperationError('task_events_ended_early');
    const status = (finished.data as { status?: string }).status;
    if (status !== 'completed') throw new OperationError(`task_${status}`);
  }
}

async function httpError(what: string, response: Response): Promise<OperationError> {
  const text = await response.text().catch(() => '');
  const code = /"code":"([a-z_]+)"/.exec(text)?.[1];
  return new OperationError(`${what}_${response.status}${code ? `_${code}` : ''}`);
}

function errorKind(kind: Operation, error: unknown): string {
  if (error instanceof OperationError) return error.kind;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `${kind}_timeout`;
  return `${kind}_network`;
}

export function parseSse(text: string): Array<{ event: string; data: unknown }> {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => !line.startsWith(':')))
    .filter((lines) => lines.some((line) => line.startsWith('data:')))
    .map((lines) => {
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      try {
        return { event, data: JSON.parse(data) as unknown };
      } catch {
        return { event, data };
      }
    });
}
