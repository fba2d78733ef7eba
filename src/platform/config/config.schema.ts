import { z } from 'zod';
import { deploySchema } from './deploy.schema.js';
import { checkOidc, oidcSchema, publicUrlSchema, sessionSchema } from './oidc.schema.js';

const providerNames = ['offline', 'openai', 'anthropic', 'google', 'ollama', 'openai-compatible'] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const agentName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/,
    'letters, digits, ".", "_" or "-", at most 64, no leading symbol',
  );
const positiveInt = z.coerce.number().int().positive();
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
// What LLM tool-calling APIs accept; the tool registry enforces the same rule.
const toolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", at most 64');

export const DEFAULT_SYSTEM_PROMPT =
  'You are Berth, a helpful assistant. Answer clearly and concisely; say so when you do not know.';

export const agentSchema = z.strictObject({
  name: agentName,
  description: z.string().max(500).optional(),
  /** Provider and model; default: the `llm` section's. */
  provider: z.enum(providerNames).optional(),
  model: z.string().min(1).optional(),
  systemPrompt: z.string().min(1).max(20_000).default(DEFAULT_SYSTEM_PROMPT),
  /** How many earlier messages of the conversation the model sees. Default 20. */
  historyWindow: positiveInt.max(500).default(20),
  /** Cap on one reply. Default 1024. */
  maxOutputTokens: positiveInt.max(200_000).default(1024),
  /** Tokens (input + output) one conversation may spend in all; past it chat answers token_budget_exceeded. Default 200000. */
  tokenBudget: positiveInt.default(200_000),
  temperature: z.coerce.number().min(0).max(2).optional(),
  /** Tools the model may call in chat; only side-effect-free ones (checked at start). Default none. */
  tools: z.array(toolName).max(32).default([]),
  /** Model calls one turn may make; the last one runs without tools, so it has to answer. Default 5. */
  maxToolSteps: positiveInt.min(2).max(20).default(5),
});

// true/false from berth.yaml, or the text an environment variable holds (true, false, 1, 0); anything else is refused.
const flagWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };
const flag = z.preprocess(
  (value) => (typeof value === 'string' ? (flagWords[value.trim().toLowerCase()] ?? value) : value),
  z.boolean(),
);

const commaList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().min(1)),
);

// host:port or [v6]:port. The tools module parses the entries again and owns their meaning; this
// check only makes a typo a config error naming the variable instead of a crash at start.
const ALLOW_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+):(\d{1,5})$/;
const fetchAllowList = commaList.superRefine((entries, ctx) => {
  for (const entry of entries) {
    const port = Number(ALLOW_ENTRY.exec(entry)?.[2]);
    if (!(port >= 1 && port <= 65_535)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not host:port, e.g. 127.0.0.1:4567 or [::1]:8080`,
      });
    }
  }
});

export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        /** Listen address. Default 127.0.0.1 (loopback only). */
        host: z.string().min(1).default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65_535).default(8080),
        /** Largest request body. Default 1 MiB. */
        bodyLimitBytes: positiveInt.default(1_048_576),
        /** How long SIGTERM waits for in-flight requests and streams. Default 10 s. */
        shutdownGraceMs: positiveInt.default(10_000),
        /** Requests taking longer are answered 503 by Node. Default 120 s. */
        requestTimeoutMs: positiveInt.default(120_000),
        /** The URL browsers reach Berth at (behind a proxy: the proxy's); needed for single sign-on. */
        publicUrl: publicUrlSchema.optional(),
      })
      .prefault({}),
    /** Embedded store and other local state. Default ./.berth */
    dataDir: z.string().min(1).default('./.berth'),
    /** postgres://… — when set, Postgres replaces the embedded store. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    /** redis://… — when set, tasks go through BullMQ on Redis instead of the in-process queue. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    /** Prefix of every Redis key Berth writes; lets several deployments share one Redis. Default berth. */
    redisPrefix: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/, 'letters, digits, "_" or "-", at most 40')
      .default('berth'),
    worker: z
      .strictObject({
        /** Port of a worker's /healthz, /readyz and /metrics (berth worker). Default 8081. */
        port: z.coerce.number().int().min(0).max(65_535).default(8081),
        /** How long SIGTERM lets running steps finish before handing them back. Default 20 s (below Kubernetes' 30 s). */
        shutdownGraceMs: positiveInt.default(20_000),
        /** Lease of a running step, renewed while it runs; a dead worker's steps are taken over after it. Default 10 s. */
        leaseMs: positiveInt.min(1_000).default(10_000),
        /** How often stranded steps are looked for. Default 2 s. */
        reconcileIntervalMs: positiveInt.default(2_000),
        /** A ready step not picked up for this long is assumed lost from the queue and re-queued. Default 10 s. */
        staleReadyMs: positiveInt.default(10_000),
        /** BullMQ lock of an active job. Default 30 s. */
        lockDurationMs: positiveInt.default(30_000),
        /** BullMQ stalled-job check. Default 5 s. */
        stalledIntervalMs: positiveInt.default(5_000),
        /** A worker that took no job this long while jobs wait is not ready (and restarts its consumer). Default 30 s. */
        stuckAfterMs: positiveInt.default(30_000),
      })
      .prefault({}),
    logLevel: z.enum(logLevels).default('info'),
    /** json: one JSON object a line; pretty: for people; auto: pretty on a terminal, else json. */
    logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
    auth: z
      .strictObject({
        /** auto: credentials are required once any key was ever created; on: always; off: never (trusted networks only). */
        mode: z.enum(['auto', 'on', 'off']).default('auto'),
        apiKeys: commaList.default([]),
        oidc: oidcSchema,
        session: sessionSchema,
      })
      .prefault({}),
    /** Fixed one-minute windows, counted in Redis when redisUrl is set; only callers with a credential are counted. */
    rateLimit: z
      .strictObject({
        /** Requests a minute of one API key (or one user, signed in or by token) within its tenant; 0 = no limit. Default 600. */
        perActorPerMinute: z.coerce.number().int().min(0).default(600),
        /** Requests a minute of all keys and users of one tenant together; 0 = no limit. Default 3000. */
        perTenantPerMinute: z.coerce.number().int().min(0).default(3_000),
      })
      .prefault({}),
    llm: z
      .strictObject({
        provider: z.enum(providerNames).default('offline'),
        model: z.string().min(1).optional(),
        timeoutMs: positiveInt.default(60_000),
        maxRetries: z.coerce.number().int().min(0).max(10).default(2),
        retryBaseDelayMs: positiveInt.default(500),
        breaker: z
          .strictObject({
            consecutiveFailures: positiveInt.default(5),
            halfOpenAfterMs: positiveInt.default(30_000),
          })
          .prefault({}),
        openai: z.strictObject({ apiKey: z.string().optional(), baseUrl: httpUrl.optional() }).prefault({}),
        anthropic: z
          .strictObject({ apiKey: z.string().optional(), baseUrl: httpUrl.optional() })
          .prefault({}),
        google: z.strictObject({ apiKey: z.string().optional(), baseUrl: httpUrl.optional() }).prefault({}),
        ollama: z.strictObject({ baseUrl: httpUrl.default('http://127.0.0.1:11434') }).prefault({}),
        openaiCompatible: z
          .strictObject({ baseUrl: httpUrl.optional(), apiKey: z.string().optional() })
          .prefault({}),
      })
      .prefault({}),
    chat: z
      .strictObject({
        /** Longest accepted user message, in characters. Default 32000. */
        maxMessageChars: positiveInt.max(1_000_000).default(32_000),
      })
      .prefault({}),
    tasks: z
      .strictObject({
        /** Steps this process runs at once. Default 4. */
        workerConcurrency: positiveInt.max(256).default(4),
        /** Attempts per step (tool failures that may pass) before its task fails. Default 3. */
        maxStepAttempts: positiveInt.max(20).default(3),
        /** First retry delay of a failed step; doubles each attempt. Default 1000. */
        retryBaseMs: positiveInt.default(1_000),
        /** Longest task description, in characters. Default 10000. */
        maxDescriptionChars: positiveInt.max(1_000_000).default(10_000),
      })
      .prefault({}),
    tools: z
      .strictObject({
        /** host:port entries fetch_url may reach whatever their address (test fixtures, intranet pages). Default none. */
        fetchAllow: fetchAllowList.default([]),
      })
      .prefault({}),
    telemetry: z
      .strictObject({
        /** Put model prompts and completions on trace spans. Default false: spans carry sizes and ids, never text. */
        traceContent: flag.default(false),
      })
      .prefault({}),
    agents: z.array(agentSchema).default([]),
    /** Where `berth deploy` puts each environment and how it scales; read by nothing else (deploy.schema.ts). */
    deploy: deploySchema,
  })
  .superRefine((config, ctx) => {
    checkOidc(config, ctx);
    if (config.llm.provider !== 'offline' && !config.llm.model) {
      ctx.addIssue({
        code: 'custom',
        path: ['llm', 'model'],
        message: `is required when the provider is ${config.llm.provider}`,
      });
    }
    const seen = new Set<string>();
    config.agents.forEach((agent, index) => {
      if (seen.has(agent.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', index, 'name'],
          message: `"${agent.name}" is declared twice`,
        });
      }
      seen.add(agent.name);
      const duplicate = agent.tools.find((name, i) => agent.tools.indexOf(name) !== i);
      if (duplicate) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', index, 'tools'],
          message: `lists "${duplicate}" twice`,
        });
      }
      if (agent.provider && agent.provider !== 'offline' && !agent.model) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', index, 'model'],
          message: 'is required with a provider',
        });
      }
    });
  });

export type Config = z.output<typeof configSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type LlmConfig = Config['llm'];
