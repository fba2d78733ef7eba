import { z } from 'zod';
import { commaList, flag, httpUrl, positiveInt } from './fields.js';
import { checkOidc, oidcSchema, publicUrlSchema, sessionSchema } from './oidc.schema.js';

export const providerNames = [
  'offline',
  'openai',
  'anthropic',
  'google',
  'ollama',
  'openai-compatible',
] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The sections every role reads. The app adds the features' own sections (src/app/config.ts), so
 * a feature's settings live with the feature.
 */
export const platformSections = {
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
      anthropic: z.strictObject({ apiKey: z.string().optional(), baseUrl: httpUrl.optional() }).prefault({}),
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
  telemetry: z
    .strictObject({
      /** Put model prompts and completions on trace spans. Default false: spans carry sizes and ids, never text. */
      traceContent: flag.default(false),
    })
    .prefault({}),
};

export type PlatformConfig = z.output<z.ZodObject<typeof platformSections>>;

/** Rules across platform sections, for the composed schema's superRefine. */
export function checkPlatformConfig(config: PlatformConfig, ctx: z.core.$RefinementCtx): void {
  checkOidc(config, ctx);
  if (config.llm.provider !== 'offline' && !config.llm.model) {
    ctx.addIssue({
      code: 'custom',
      path: ['llm', 'model'],
      message: `is required when the provider is ${config.llm.provider}`,
    });
  }
}
export type LlmConfig = PlatformConfig['llm'];
