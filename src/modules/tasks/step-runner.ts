import type { Span } from '@opentelemetry/api';
import type { Publisher } from '../../platform/events/index.js';
import { retryDelayMs } from '../../platform/queue/index.js';
import {
  ATTR_AGENT,
  ATTR_OUTCOME,
  ATTR_REQUEST_ID,
  ATTR_STEP_ATTEMPT,
  ATTR_STEP_ID,
  ATTR_STEP_KEY,
  ATTR_TASK_ID,
  inSpan,
  type Logger,
  markFailed,
} from '../../platform/telemetry/index.js';
import type { ApprovalEvent } from '../approvals/index.js';
import type { ToolError, ToolRegistry, ToolResult } from '../tools/index.js';
import { refsIn, replaceRefs, type StepRef } from './plan.js';
import { createSideEffectStep, type SideEffectOptions } from './side-effect-step.js';
import { type TaskEvent, taskFinished } from './task-events.js';
import type { TaskMetrics } from './tasks.metrics.js';
import type { ClaimedStep, StepRow, TaskRow, TasksRepository } from './tasks.repository.js';

export interface StepRunnerOptions {
  repo: TasksRepository;
  tools: ToolRegistry;
  events: Publisher<TaskEvent | ApprovalEvent>;
  metrics: TaskMetrics;
  logger: Logger;
  /** Called when new outbox rows were committed (dependants became ready, a retry was scheduled for `availableAt`). */
  onOutbox: (availableAt?: Date) => void;
  /** First retry delay of a failed step; doubles each attempt, ±20 % jitter (the queue's backoff). Default 1000 ms. */
  retryBaseMs?: number;
  /** Lease of a running step, renewed every third of it while the step runs; another worker may take the step over once it lapses. Default 10 s. */
  leaseMs?: number;
  /** How long one job may go on running the steps that its steps made ready. Default 30 s. */
  maxChainMs?: number;
  /** Approval requests of side-effecting steps. Default: expire after 24 h, no four eyes. */
  sideEffects?: SideEffectOptions;
}

const tokensOf = (output: unknown) => {
  const usage = (
    output as { usage?: { inputTokens?: number; outputTokens?: number; costUsd?: number } } | null
  )?.usage;
  return { input: usage?.inputTokens ?? 0, output: usage?.outputTokens ?? 0, costUsd: usage?.costUsd ?? 0 };
};

function pick(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
      value,
    );
}

/** Runs one step per job: claim, resolve inputs, run the tool, record — never the same completed step twice. */
export function createStepRunner(options: StepRunnerOptions) {
  const { repo, tools, events, metrics, logger } = options;
  const retryBaseMs = options.retryBaseMs ?? 1_000;
  const inFlight = new Map<string, { taskId: string; controller: AbortController }>();
  const leaseMs = options.leaseMs ?? 10_000;
  const maxChainMs = options.maxChainMs ?? 30_000;
  /** Set on shutdown: running steps finish, but none claims the next step of its chain. */
  let draining = false;
  const sideEffects = createSideEffectStep({
    repo,
    events,
    options: options.sideEffects ?? { expiresAfterMs: 86_400_000, fourEyes: false },
  });

  /** Renews the lease while the step runs; a lost lease (taken over) aborts the tool, whose result would be fenced anyway. */
  function keepLease(step: StepRow, controller: AbortController): () => void {
    const timer = setInterval(
      () => {
        repo.renewLease(step.id, step.attempts, leaseMs).then(
          (held) => {
            if (!held) controller.abort('lease lost');
          },
          (error: unknown) => logger.warn({ err: error, step_id: step.id }, 'could not renew a step lease'),
        );
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  async function resolveInput(
    step: StepRow,
  ): Promise<{ ok: true; input: unknown } | { ok: false; error: ToolError }> {
    const refs = refsIn(step.input);
    const outputs = await repo.outputsOf(step.taskId, [...new Set(refs.map((r) => r.$from))]);
    const missing = refs.find((ref) => !outputs.has(ref.$from));
    if (missing)
      return {
        ok: false,
        error: {
          code: 'missing_input',
          message: `output of step ${missing.$from} is not available`,
          retryable: false,
        },
      };
    return {
      ok: true,
      input: replaceRefs(step.input, (ref: StepRef) => pick(outputs.get(ref.$from), ref.path)),
    };
  }

  /** Records the result; returns the dependant this runner claimed to run next, if it may continue. */
  async function recordSuccess(
    step: StepRow,
    output: unknown,
    durationMs: number,
    mayContinue: () => boolean,
  ) {
    const done = await repo.completeStep({
      stepId: step.id,
      attempt: step.attempts,
      output,
      durationMs,
      tokens: tokensOf(output),
      // Decided when the result is recorded, so a shutdown that began while the tool ran is respected.
      continueWith: mayContinue() ? { leaseMs } : undefined,
    });
    if (done.fenced) {
      metrics.stepOutcomes.inc({ tool: step.tool, outcome: 'fenced' });
      logger.warn(
        { step_id: step.id, attempt: step.attempts },
        'step result discarded: its lease was taken over',
      );
      return;
    }
    metrics.stepOutcomes.inc({ tool: step.tool, outcome: 'completed' });
    events.publish({
      type: 'step.completed',
      task_id: step.taskId,
      tenant_id: step.tenantId,
      step_id: step.id,
      key: step.key,
      tool: step.tool,
      duration_ms: durationMs,
    });
    if (done.promoted.length > 0) options.onOutbox();
    if (done.finished) finished(done.finished);
    return done.next;
  }

  async function recordFailure(step: StepRow, error: ToolError, durationMs: number) {
    const retry = error.retryable && step.attempts < step.maxAttempts;
    const retryAt = retry
      ? new Date(Date.now() + retryDelayMs(retryBaseMs, step.attempts, Math.random))
      : undefined;
    const failed = await repo.failStep({
      stepId: step.id,
      attempt: step.attempts,
      error: { code: error.code, message: error.message, retryable: error.retryable },
      durationMs,
      retryAt,
    });
    if (failed.fenced) return;
    const base = {
      task_id: step.taskId,
      tenant_id: step.tenantId,
      step_id: step.id,
      key: step.key,
      tool: step.tool,
      error: { code: error.code, message: error.message },
    };
    metrics.stepOutcomes.inc({ tool: step.tool, outcome: retryAt ? 'retrying' : 'failed' });
    if (retryAt) {
      events.publish({ type: 'step.retrying', ...base, retry_at: retryAt.toISOString() });
      options.onOutbox(retryAt);
    } else {
      events.publish({ type: 'step.failed', ...base });
    }
    if (failed.finished) finished(failed.finished);
  }

  const finished = (task: TaskRow) => events.publish(taskFinished(task));

  /** Runs one claimed step and records it, in a span of its own; returns the next step it claimed, when `mayContinue`. */
  function execute(
    step: StepRow,
    task: ClaimedStep['task'],
    signal: AbortSignal,
    mayContinue: () => boolean,
  ): Promise<StepRow | undefined> {
    const attributes = {
      [ATTR_TASK_ID]: step.taskId,
      [ATTR_STEP_ID]: step.id,
      [ATTR_STEP_KEY]: step.key,
      [ATTR_STEP_ATTEMPT]: step.attempts,
      [ATTR_REQUEST_ID]: task.requestId,
      [ATTR_AGENT]: task.agent,
      'gen_ai.tool.name': step.tool,
    };
    return inSpan(`step ${step.tool}`, { attributes }, (span) =>
      runStep(span, step, task, signal, mayContinue),
    );
  }

  async function runStep(
    span: Span,
    step: StepRow,
    task: ClaimedStep['task'],
    signal: AbortSignal,
    mayContinue: () => boolean,
  ): Promise<StepRow | undefined> {
    const controller = new AbortController();
    const abort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    inFlight.set(step.id, { taskId: step.taskId, controller });
    const releaseLease = keepLease(step, controller);
    const started = performance.now();
    try {
      const input = await resolveInput(step);
      const invoke = (idempotencyKey: string) =>
        tools.invoke(step.tool, input.ok ? input.input : undefined, {
          signal: controller.signal,
          idempotencyKey,
          requestId: task.requestId,
          agent: task.agent,
          tenantId: step.tenantId,
        });
      let result: ToolResult<unknown>;
      if (!input.ok) result = input;
      else if (tools.get(step.tool)?.sideEffects) {
        const outcome = await sideEffects.run(step, task, input.input, invoke);
        if (outcome.kind === 'paused') {
          span.setAttribute(ATTR_OUTCOME, 'awaiting_approval');
          metrics.stepOutcomes.inc({ tool: step.tool, outcome: 'awaiting_approval' });
          return undefined;
        }
        result = outcome.result;
      } else result = await invoke(`${step.taskId}:${step.key}`);
      const durationMs = Math.round(performance.now() - started);
      metrics.stepDuration.observe({ tool: step.tool }, durationMs / 1000);
      if (controller.signal.reason === 'cancelled') {
        span.setAttribute(ATTR_OUTCOME, 'cancelled');
        await repo.cancelRunningStep(step.id, step.attempts);
        metrics.stepOutcomes.inc({ tool: step.tool, outcome: 'cancelled' });
        return undefined;
      }
      if (result.ok) {
        span.setAttribute(ATTR_OUTCOME, 'completed');
        return await recordSuccess(step, result.value, durationMs, () => mayContinue() && !signal.aborted);
      }
      span.setAttribute(ATTR_OUTCOME, 'failed');
      markFailed(span, result.error);
      await recordFailure(step, result.error, durationMs);
      return undefined;
    } finally {
      releaseLease();
      signal.removeEventListener('abort', abort);
      inFlight.delete(step.id);
    }
  }

  return {
    /** The queue handler for one step id. Throws only on store failures, so the queue retries those. */
    async run(stepId: string, signal: AbortSignal): Promise<void> {
      const claimed = await repo.claimStep(stepId, leaseMs);
      if (!claimed) return;
      const started = Date.now();
      // A finished step's next one runs here at once (claimed in the same transaction that recorded
      // the result), for a while; after that it goes through the queue like any other.
      let step: StepRow | undefined = claimed.step;
      while (step) {
        events.publish({
          type: 'step.started',
          task_id: step.taskId,
          tenant_id: step.tenantId,
          step_id: step.id,
          key: step.key,
          tool: step.tool,
          attempt: step.attempts,
        });
        step = await execute(
          step,
          claimed.task,
          signal,
          () => !draining && Date.now() - started < maxChainMs,
        );
      }
    },
    /** Shutdown has begun: steps running now finish, and their chains go back through the queue. */
    drain() {
      draining = true;
    },
    /** Stops the steps of a cancelled task that run in this process. */
    abortTask(taskId: string) {
      for (const entry of inFlight.values()) if (entry.taskId === taskId) entry.controller.abort('cancelled');
    },
  };
}
export type StepRunner = ReturnType<typeof createStepRunner>;
