import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server does with the next chat completion request. */
export type FakeBehaviour =
  | { kind: 'ok'; text: string; usage: FakeUsage }
  | { kind: 'status'; status: number; body: unknown }
  | { kind: 'hang' }
  | { kind: 'hang-after'; text: string }
  | { kind: 'malformed' }
  | { kind: 'tool-calls'; calls: FakeToolCall[]; text: string; usage: FakeUsage }
  | { kind: 'forever'; behaviour: FakeBehaviour }
  | { kind: 'slow'; delayMs: number; behaviour: FakeBehaviour };

/** A function call the fake model asks for; `arguments` is sent JSON-encoded, as OpenAI does. */
export interface FakeToolCall {
  name: string;
  arguments: unknown;
}

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: ChatRequestBody | undefined;
  /** True once the client closed the connection before the response was complete (it aborted). */
  abandoned: boolean;
}

export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content: unknown }>;
  [key: string]: unknown;
}

export interface FakeOpenAI {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  /** Queues behaviours; each chat completion request takes the next one (FIFO). */
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** Every request received, in order (models listing included). */
  requests: RecordedRequest[];
  /** Chat completion requests only. */
  chatRequests(): RecordedRequest[];
  /** Embeddings requests only. */
  embeddingRequests(): RecordedRequest[];
  /** Forgets queued behaviours and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Used when the queue is empty. Default: `ok('Hello from the fake OpenAI server.')`. */
  fallback?: FakeBehaviour;
  model?: string;
}

const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Builders for the behaviour queue. */
export const fakeReply = {
  ok: (text: string, usage?: Partial<FakeUsage>): FakeBehaviour => ({
    kind: 'ok',
    text,
    usage: {
      inputTokens: usage?.inputTokens ?? 10,
      outputTokens: usage?.outputTokens ?? estimateTokens(text),
    },
  }),
  status: (status: number, body?: unknown): FakeBehaviour => ({
    kind: 'status',
    status,
    body: body ?? { error: { message: `fake error ${status}`, type: 'fake_error', code: String(status) } },
  }),
  /** Never answers; the connection stays open until the client aborts or the server closes. */
  hang: (): FakeBehaviour => ({ kind: 'hang' }),
  /** Streams `text` (headers and deltas), then goes silent without finishing. Plain requests hang. */
  hangAfter: (text: string): FakeBehaviour => ({ kind: 'hang-after', text }),
  /** 200 with a body that is not valid JSON (or SSE events that are not). */
  malformed: (): FakeBehaviour => ({ kind: 'malformed' }),
  /** Does `behaviour` after waiting `delayMs`. */
  slow: (delayMs: number, behaviour: FakeBehaviour): FakeBehaviour => ({ kind: 'slow', delayMs, behaviour }),
  /** Asks for tool calls (`finish_reason: "tool_calls"`), optionally after some text; plain and streamed. */
  toolCalls: (
    calls: FakeToolCall[],
    options: { text?: string; usage?: Partial<FakeUsage> } = {},
  ): FakeBehaviour => ({
    kind: 'tool-calls',
    calls,
    text: options.text ?? '',
    usage: { inputTokens: options.usage?.inputTokens ?? 10, outputTokens: options.usage?.outputTokens ?? 5 },
  }),
  /** One tool call; see toolCalls. */
  toolCall: (name: string, args: unknown, usage?: Partial<FakeUsage>): FakeBehaviour =>
    fakeReply.toolCalls([{ name, arguments: args }], { usage }),
  /** Answers with `value` as JSON text (what a model asked for json_object or json_schema sends). */
  json: (value: unknown, usage?: Partial<FakeUsage>): FakeBehaviour =>
    fakeReply.ok(JSON.stringify(value), usage),
  /** Answers every request from now on with `behaviour`: it stays at the head of the queue until reset. */
  forever: (behaviour: FakeBehaviour): FakeBehaviour => ({ kind: 'forever', behaviour }),
};

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const fallback = options.fallback ?? fakeReply.ok('Hello from the fake OpenAI server.');
  const model = options.model ?? 'fake-model';
  const queue: FakeBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  const ids = { next: 0, call: () => `call_fake_${++ids.next}` };
  const take = (): FakeBehaviour => {
    const head = queue[0]?.kind === 'forever' ? queue[0] : (queue.shift() ?? fallback);
    return head.kind === 'forever' ? head.behaviour : head;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parseBody(raw),
      abandoned: false,
    };
    requests.push(recorded);
    res.on('close', () => {
      if (!res.writableEnded) recorded.abandoned = true;
    });
    if (req.method === 'GET' && path === '/v1/models') sendModels(res, model);
    else if (req.method === 'POST' && path === '/v1/chat/completions') {
      respond(res, take(), { body: recorded.body ?? {}, model, callId: ids.call });
    } else if (req.method === 'POST' && path === '/v1/embeddings') sendEmbeddings(res, recorded.body ?? {});
    else sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'not_found' } });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    enqueue: (...behaviours) => queue.push(...behaviours),
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    embeddingRequests: () => requests.filter((r) => r.path === '/v1/embeddings'),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): ChatRequestBody | undefined {
  if (raw === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ChatRequestBody) : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendModels(res: ServerResponse, model: string): void {
  sendJson(res, 200, {
    object: 'list',
    data: [{ id: model, object: 'model', created: 0, owned_by: 'berth-test' }],
  });
}

interface RequestContext {
  body: ChatRequestBody;
  model: string;
  /** A new tool call id, unique on this server. */
  callId: () => string;
}

function respond(res: ServerResponse, behaviour: FakeBehaviour, context: RequestContext): void {
  const { body, model } = context;
  const stream = body.stream === true;
  if (behaviour.kind === 'slow') {
    setTimeout(() => respond(res, behaviour.behaviour, context), behaviour.delayMs);
    return;
  }
  if (behaviour.kind === 'tool-calls') sendToolCalls(res, behaviour, context);
  else if (behaviour.kind === 'status') sendJson(res, behaviour.status, behaviour.body);
  else if (behaviour.kind === 'malformed') sendMalformed(res, stream);
  else if (behaviour.kind === 'hang-after' && stream) {
    streamCompletion(res, { text: behaviour.text, model, finish: false });
  } else if (behaviour.kind === 'ok' && !stream) {
    sendJson(res, 200, completion(behaviour.text, behaviour.usage, model));
  } else if (behaviour.kind === 'ok') {
    const usage = body.stream_options?.include_usage === true ? behaviour.usage : undefined;
    streamCompletion(res, { text: behaviour.text, model, finish: true, usage });
  }
  // 'hang' (and 'hang-after' on a plain request): never answer.
}

const usageWire = ({ inputTokens, outputTokens }: FakeUsage) => ({
  prompt_tokens: inputTokens,
  completion_tokens: outputTokens,
  total_tokens: inputTokens + outputTokens,
});

function sendToolCalls(
  res: ServerResponse,
  behaviour: Extract<FakeBehaviour, { kind: 'tool-calls' }>,
  { body, model, callId }: RequestContext,
): void {
  const calls = behaviour.calls.map((call) => ({
    id: callId(),
    type: 'function' as const,
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  if (body.stream !== true) {
    sendJson(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: behaviour.text || null, tool_calls: calls },
          finish_reason: 'tool_calls',
        },
      ],
      usage: usageWire(behaviour.usage),
    });
    return;
  }
  const send = startStream(res, model);
  send([{ index: 0, delta: { role: 'assistant', content: behaviour.text }, finish_reason: null }]);
  calls.forEach((call, index) => {
    // Arguments arrive in two pieces, as real servers split them, so the client has to assemble them.
    const args = call.function.arguments;
    const half = Math.ceil(args.length / 2);
    const head = { ...call, function: { name: call.function.name, arguments: args.slice(0, half) } };
    send([{ index: 0, delta: { tool_calls: [{ index, ...head }] }, finish_reason: null }]);
    send([
      {
        index: 0,
        delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] },
        finish_reason: null,
      },
    ]);
  });
  send([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
  if (body.stream_options?.include_usage === true) send([], { usage: usageWire(behaviour.usage) });
  res.end('data: [DONE]\n\n');
}

function startStream(res: ServerResponse, model: string) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices, ...extra })}\n\n`,
    );
}

function sendMalformed(res: ServerResponse, stream: boolean): void {
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"chatcmpl-broken","choices":[{"message":');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end('data: {"id":"chatcmpl-broken","choices":[{"delta":\n\ndata: [DONE]\n\n');
}

function completion(text: string, usage: FakeUsage, model: string) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: usageWire(usage),
  };
}

interface StreamPlan {
  text: string;
  model: string;
  finish: boolean;
  usage?: FakeUsage;
}

function streamCompletion(res: ServerResponse, plan: StreamPlan): void {
  const send = startStream(res, plan.model);
  send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  for (const piece of plan.text.match(/\S+\s*|\s+/g) ?? []) {
    send([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  }
  if (!plan.finish) return;
  send([{ index: 0, delta: {}, finish_reason: 'stop' }]);
  if (plan.usage) send([], { usage: usageWire(plan.usage) });
  res.end('data: [DONE]\n\n');
}

/** A vector that depends only on the text: the same input always embeds the same, different inputs apart. */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  return Array.from({ length: dimensions }, (_, i) => {
    let sum = i + 1;
    for (const char of text) sum = (sum * 31 + char.charCodeAt(0)) % 1_000;
    return sum / 1_000;
  });
}

/** OpenAI's /v1/embeddings: one fake vector per input, usage at 4 characters a token. */
function sendEmbeddings(res: ServerResponse, body: ChatRequestBody): void {
  const input = body.input;
  const values = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : [];
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 8;
  const tokens = values.reduce((sum, value) => sum + estimateTokens(value), 0);
  sendJson(res, 200, {
    object: 'list',
    model: body.model,
    data: values.map((value, index) => ({
      object: 'embedding',
      index,
      embedding: fakeEmbedding(value, dimensions),
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
