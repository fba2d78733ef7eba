import { z } from 'zod';
import { errorReply, type HttpApp, startSse } from '../../platform/http/index.js';
import { type TaskEvent, type TaskEvents, taskFinished } from './task-events.js';
import { isFinal } from './task-status.js';
import { taskSummaryWire, taskWire } from './task-view.js';
import type { TaskRow } from './tasks.repository.js';
import {
  type CreateTaskBody,
  createTaskBody,
  idempotencyHeader,
  listQuery,
  taskAccepted,
  taskList,
  taskView,
} from './tasks.schemas.js';
import type { TasksService } from './tasks.service.js';

const plannedSteps = (steps: CreateTaskBody['steps']) =>
  steps?.map(({ depends_on, ...step }) => ({ ...step, dependsOn: depends_on }));

const errors = {
  400: errorReply,
  401: errorReply,
  403: errorReply,
  404: errorReply,
  409: errorReply,
  422: errorReply,
};
const taskParams = z.object({ id: z.uuid() });
/** Task streams can be idle for minutes (a step waiting for approval): proxies close silent connections. */
const HEARTBEAT_MS = 15_000;

/** `task.finished` as SSE clients get it: the bus event plus the task's result. */
const finishedWire = (task: TaskRow) => ({ ...taskFinished(task), result: task.result });

export interface TaskRouteDeps {
  tasks: TasksService;
  events: TaskEvents;
  maxDescriptionChars: number;
}

export function registerTaskRoutes(app: HttpApp, deps: TaskRouteDeps) {
  const { tasks } = deps;
  for (const url of ['/api/tasks', '/api/task']) {
    app.route({
      method: 'POST',
      url,
      config: { permission: 'tasks:create' },
      schema: {
        tags: ['tasks'],
        description:
          url === '/api/task'
            ? 'Alias of POST /api/tasks for older clients.'
            : 'Plans a task and queues its steps; with `steps`, runs that explicit plan instead (validated like a planned one: 400 naming the step and field). With an `Idempotency-Key` header a retried request returns the first task.',
        headers: idempotencyHeader,
        body: createTaskBody(deps.maxDescriptionChars),
        response: { 202: taskAccepted, ...errors },
      },
      handler: async (request, reply) => {
        const { task } = await tasks.create({
          ...tasks.creation(request.actor, request.body.user_id),
          description: request.body.description,
          title: request.body.title,
          agent: request.body.agent,
          steps: plannedSteps(request.body.steps),
          idempotencyKey: request.headers['idempotency-key'],
          requestId: request.id,
        });
        return reply
          .status(202)
          .header('location', `/api/tasks/${task.id}`)
          .send({ task_id: task.id, status: task.status });
      },
    });
  }

  app.route({
    method: 'GET',
    url: '/api/tasks',
    config: { permission: 'tasks:read' },
    schema: {
      tags: ['tasks'],
      description:
        "The caller's tasks, newest first; an operator's or admin's: every user's unless `user_id` names one.",
      querystring: listQuery,
      response: { 200: taskList, ...errors },
    },
    handler: async (request) => {
      const { user_id, ...query } = request.query;
      const page = await tasks.list(request.actor, { ...query, userId: user_id });
      return { tasks: page.tasks.map(taskSummaryWire), next_cursor: page.nextCursor };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/tasks/:id',
    config: { permission: 'tasks:read' },
    schema: { tags: ['tasks'], params: taskParams, response: { 200: taskView, ...errors } },
    handler: async (request) => {
      const { task, steps } = await tasks.get(request.actor, request.params.id);
      return taskWire(task, steps);
    },
  });

  app.route({
    method: 'GET',
    url: '/api/tasks/:id/steps/:step_id/output',
    config: { permission: 'tasks:read' },
    schema: {
      tags: ['tasks'],
      params: taskParams.extend({ step_id: z.uuid() }),
      response: { 200: z.object({ step_id: z.string(), output: z.unknown() }), ...errors },
    },
    handler: async (request) => {
      const step = await tasks.stepOutput(request.actor, request.params.id, request.params.step_id);
      return { step_id: step.id, output: step.output ?? null };
    },
  });

  app.route({
    method: 'POST',
    url: '/api/tasks/:id/cancel',
    config: { permission: 'tasks:cancel' },
    schema: { tags: ['tasks'], params: taskParams, response: { 200: taskAccepted, ...errors } },
    handler: async (request) => {
      const task = await tasks.cancel(request.actor, request.params.id);
      return { task_id: task.id, status: task.status };
    },
  });

  app.route({
    method: 'GET',
    url: '/api/tasks/:id/events',
    config: { permission: 'tasks:read' },
    schema: {
      tags: ['tasks'],
      description:
        'SSE: first a `snapshot` event with the whole task, then `step.started`, `step.completed`, `step.retrying`, `step.failed`, and `task.finished`, after which the stream ends.',
      params: taskParams,
      response: errors,
    },
    handler: async (request, reply) => {
      const { actor } = request;
      await tasks.find(actor, request.params.id);
      const sse = startSse(request, reply, { heartbeatMs: HEARTBEAT_MS, onClose: () => unsubscribe() });
      // Subscribe before reading the snapshot so no event falls between the two; events that arrive
      // while the snapshot is read wait in `pending` and follow it.
      let pending: TaskEvent[] | undefined = [];
      const forward = (event: TaskEvent) => {
        if (event.type !== 'task.finished') return sse.send(event.type, event);
        // The event carries no result (personal data stays off the bus): the finished task has it.
        tasks.find(actor, request.params.id).then(
          (finished) => {
            sse.send('task.finished', finishedWire(finished));
            sse.end();
          },
          () => sse.end(),
        );
      };
      const unsubscribe = deps.events.subscribe(request.params.id, (event: TaskEvent) => {
        if (pending) pending.push(event);
        else forward(event);
      });
      const { task, steps } = await tasks.get(actor, request.params.id);
      sse.send('snapshot', taskWire(task, steps));
      if (isFinal(task.status)) {
        sse.send('task.finished', finishedWire(task));
        sse.end();
      }
      const buffered = pending;
      pending = undefined;
      for (const event of buffered) forward(event);
      return reply;
    },
  });
}
