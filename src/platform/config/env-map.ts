/** Environment variables Berth reads, and where each lands in the config. The README's table mirrors this. */
export const envMap: ReadonlyArray<{ env: string; path: readonly string[]; doc: string }> = [
  { env: 'PORT', path: ['server', 'port'], doc: 'HTTP port (default 8080)' },
  { env: 'HOST', path: ['server', 'host'], doc: 'listen address (default 127.0.0.1)' },
  {
    env: 'BERTH_BODY_LIMIT_BYTES',
    path: ['server', 'bodyLimitBytes'],
    doc: 'largest request body (default 1048576)',
  },
  {
    env: 'BERTH_SHUTDOWN_GRACE_MS',
    path: ['server', 'shutdownGraceMs'],
    doc: 'drain time on SIGTERM (default 10000)',
  },
  {
    env: 'BERTH_REQUEST_TIMEOUT_MS',
    path: ['server', 'requestTimeoutMs'],
    doc: 'longest request (default 120000)',
  },
  { env: 'BERTH_DATA_DIR', path: ['dataDir'], doc: 'embedded store directory (default ./.berth)' },
  {
    env: 'DATABASE_URL',
    path: ['databaseUrl'],
    doc: 'postgres://… to use Postgres instead of the embedded store',
  },
  { env: 'LOG_LEVEL', path: ['logLevel'], doc: 'fatal|error|warn|info|debug|trace|silent (default info)' },
  {
    env: 'BERTH_LOG_FORMAT',
    path: ['logFormat'],
    doc: 'auto (pretty on a terminal, else JSON lines), json or pretty',
  },
  {
    env: 'BERTH_TRACE_CONTENT',
    path: ['telemetry', 'traceContent'],
    doc: 'put model prompts and completions on trace spans: true or false (default false)',
  },
  {
    env: 'BERTH_AUDIT_SIGNING_KEY',
    path: ['audit', 'signingKey'],
    doc: 'Ed25519 private key (PEM) that signs audit checkpoints; none: no checkpoints',
  },
  {
    env: 'BERTH_AUDIT_CHECKPOINT_EVERY',
    path: ['audit', 'checkpointEvery'],
    doc: "a signed checkpoint every this many events of a tenant's audit chain (default 100)",
  },
  {
    env: 'BERTH_AUTH',
    path: ['auth', 'mode'],
    doc: 'auto (credentials required once any key was created), on or off',
  },
  { env: 'BERTH_API_KEYS', path: ['auth', 'apiKeys'], doc: 'comma-separated API keys' },
  {
    env: 'BERTH_RATE_LIMIT_PER_MINUTE',
    path: ['rateLimit', 'perActorPerMinute'],
    doc: 'requests a minute of one API key or user; 0 = no limit (default 600)',
  },
  {
    env: 'BERTH_TENANT_RATE_LIMIT_PER_MINUTE',
    path: ['rateLimit', 'perTenantPerMinute'],
    doc: 'requests a minute of one tenant, all its keys and users together; 0 = no limit (default 3000)',
  },
  {
    env: 'BERTH_LLM_PROVIDER',
    path: ['llm', 'provider'],
    doc: 'offline|openai|anthropic|google|ollama|openai-compatible',
  },
  { env: 'BERTH_LLM_MODEL', path: ['llm', 'model'], doc: 'model name for the provider' },
  { env: 'BERTH_LLM_TIMEOUT_MS', path: ['llm', 'timeoutMs'], doc: 'one model call (default 60000)' },
  {
    env: 'BERTH_LLM_MAX_RETRIES',
    path: ['llm', 'maxRetries'],
    doc: 'retries of transient failures (default 2)',
  },
  {
    env: 'BERTH_LLM_BREAKER_FAILURES',
    path: ['llm', 'breaker', 'consecutiveFailures'],
    doc: 'failures that open the breaker (default 5)',
  },
  {
    env: 'BERTH_LLM_BREAKER_RESET_MS',
    path: ['llm', 'breaker', 'halfOpenAfterMs'],
    doc: 'open breaker retries after (default 30000)',
  },
  { env: 'OPENAI_API_KEY', path: ['llm', 'openai', 'apiKey'], doc: 'OpenAI key' },
  { env: 'OPENAI_BASE_URL', path: ['llm', 'openai', 'baseUrl'], doc: 'OpenAI API base URL (proxies)' },
  { env: 'ANTHROPIC_API_KEY', path: ['llm', 'anthropic', 'apiKey'], doc: 'Anthropic key' },
  { env: 'ANTHROPIC_BASE_URL', path: ['llm', 'anthropic', 'baseUrl'], doc: 'Anthropic API base URL' },
  { env: 'GOOGLE_GENERATIVE_AI_API_KEY', path: ['llm', 'google', 'apiKey'], doc: 'Gemini key' },
  { env: 'GEMINI_API_KEY', path: ['llm', 'google', 'apiKey'], doc: 'alias of GOOGLE_GENERATIVE_AI_API_KEY' },
  {
    env: 'OLLAMA_BASE_URL',
    path: ['llm', 'ollama', 'baseUrl'],
    doc: 'Ollama server (default http://127.0.0.1:11434)',
  },
  {
    env: 'BERTH_LLM_BASE_URL',
    path: ['llm', 'openaiCompatible', 'baseUrl'],
    doc: 'OpenAI-compatible server (vLLM, llama.cpp, LM Studio), e.g. http://host:8000/v1',
  },
  {
    env: 'BERTH_LLM_API_KEY',
    path: ['llm', 'openaiCompatible', 'apiKey'],
    doc: 'key for the OpenAI-compatible server',
  },
  {
    env: 'BERTH_COST_ALERT_THRESHOLD',
    path: ['budgets', 'costAlertUsd'],
    doc: 'USD a tenant may spend in a month before budget.cost_alert fires, once per month (default none)',
  },
  {
    env: 'BERTH_TENANT_DAILY_TOKENS',
    path: ['budgets', 'tenant', 'dailyTokens'],
    doc: 'tokens each tenant may spend per UTC day (default no limit)',
  },
  {
    env: 'BERTH_TENANT_MONTHLY_TOKENS',
    path: ['budgets', 'tenant', 'monthlyTokens'],
    doc: 'tokens each tenant may spend per UTC month (default no limit)',
  },
  {
    env: 'BERTH_TENANT_DAILY_USD',
    path: ['budgets', 'tenant', 'dailyUsd'],
    doc: 'USD each tenant may spend per UTC day, from the price table (default no limit)',
  },
  {
    env: 'BERTH_TENANT_MONTHLY_USD',
    path: ['budgets', 'tenant', 'monthlyUsd'],
    doc: 'USD each tenant may spend per UTC month (default no limit)',
  },
  {
    env: 'BERTH_MAX_MESSAGE_CHARS',
    path: ['chat', 'maxMessageChars'],
    doc: 'longest user message (default 32000)',
  },
  {
    env: 'BERTH_WORKER_CONCURRENCY',
    path: ['tasks', 'workerConcurrency'],
    doc: 'steps run at once by this process (default 4)',
  },
  {
    env: 'BERTH_STEP_MAX_ATTEMPTS',
    path: ['tasks', 'maxStepAttempts'],
    doc: 'attempts per step before its task fails (default 3)',
  },
  {
    env: 'BERTH_STEP_RETRY_BASE_MS',
    path: ['tasks', 'retryBaseMs'],
    doc: 'first retry delay of a failed step, doubling (default 1000)',
  },
  {
    env: 'BERTH_MAX_TASK_CHARS',
    path: ['tasks', 'maxDescriptionChars'],
    doc: 'longest task description (default 10000)',
  },
  {
    env: 'REDIS_URL',
    path: ['redisUrl'],
    doc: 'redis://… to run tasks through BullMQ (needed by berth api and berth worker)',
  },
  {
    env: 'BERTH_REDIS_PREFIX',
    path: ['redisPrefix'],
    doc: "prefix of Berth's Redis keys, so deployments can share one Redis (default berth)",
  },
  {
    env: 'WORKER_PORT',
    path: ['worker', 'port'],
    doc: "port of a worker's /healthz, /readyz and /metrics (default 8081)",
  },
  {
    env: 'BERTH_WORKER_SHUTDOWN_GRACE_MS',
    path: ['worker', 'shutdownGraceMs'],
    doc: 'time running steps get on SIGTERM (default 20000)',
  },
  {
    env: 'BERTH_STEP_LEASE_MS',
    path: ['worker', 'leaseMs'],
    doc: 'lease of a running step, renewed while it runs (default 10000)',
  },
  {
    env: 'BERTH_RECONCILE_INTERVAL_MS',
    path: ['worker', 'reconcileIntervalMs'],
    doc: 'how often stranded steps are re-queued (default 2000)',
  },
  {
    env: 'BERTH_RECONCILE_STALE_MS',
    path: ['worker', 'staleReadyMs'],
    doc: 'a ready step not picked up this long is re-queued (default 10000)',
  },
  {
    env: 'BERTH_QUEUE_LOCK_MS',
    path: ['worker', 'lockDurationMs'],
    doc: 'BullMQ lock of an active job (default 30000)',
  },
  {
    env: 'BERTH_QUEUE_STALLED_INTERVAL_MS',
    path: ['worker', 'stalledIntervalMs'],
    doc: 'BullMQ stalled-job check (default 5000)',
  },
  {
    env: 'BERTH_WORKER_STUCK_MS',
    path: ['worker', 'stuckAfterMs'],
    doc: 'no job taken this long while jobs wait → not ready (default 30000)',
  },
  {
    env: 'BERTH_FETCH_ALLOW',
    path: ['tools', 'fetchAllow'],
    doc: 'comma-separated host:port entries fetch_url may reach even on private addresses',
  },
  {
    env: 'BERTH_WEBHOOK_ALLOW',
    path: ['tools', 'webhookAllow'],
    doc: 'comma-separated host:port entries http_post may post to (default none)',
  },
  {
    env: 'BERTH_MCP_ALLOW',
    path: ['mcp', 'allow'],
    doc: 'comma-separated host:port entries an HTTP MCP server may be on whatever its address (default none)',
  },
  {
    env: 'BERTH_SMTP_URL',
    path: ['tools', 'smtp', 'url'],
    doc: 'smtp:// or smtps:// URL (credentials in it) of the server send_email uses; without it there is no send_email',
  },
  {
    env: 'BERTH_SMTP_FROM',
    path: ['tools', 'smtp', 'from'],
    doc: 'From address of send_email (default berth@localhost)',
  },
  {
    env: 'BERTH_APPROVAL_TTL_MS',
    path: ['approvals', 'expiresAfterMs'],
    doc: 'a pending approval expires after this, failing its step (default 86400000, 24 h)',
  },
  {
    env: 'BERTH_APPROVAL_FOUR_EYES',
    path: ['approvals', 'requireSecondPerson'],
    doc: 'the approver must be another person than the requester: true or false (default false)',
  },
  {
    env: 'BERTH_APPROVAL_NOTIFY_URL',
    path: ['approvals', 'notifyUrl'],
    doc: 'approval.requested and approval.decided are POSTed here as JSON (default none)',
  },
  {
    env: 'BERTH_PUBLIC_URL',
    path: ['server', 'publicUrl'],
    doc: 'the URL browsers reach Berth at; the OIDC redirect URI is <it>/auth/callback',
  },
  {
    env: 'BERTH_OIDC_ISSUER',
    path: ['auth', 'oidc', 'issuer'],
    doc: "OpenID provider's issuer URL; turns single sign-on on",
  },
  {
    env: 'BERTH_OIDC_CLIENT_ID',
    path: ['auth', 'oidc', 'clientId'],
    doc: "Berth's client id at the provider",
  },
  {
    env: 'BERTH_OIDC_CLIENT_SECRET',
    path: ['auth', 'oidc', 'clientSecret'],
    doc: 'client secret; without one Berth is a public client (PKCE only)',
  },
  {
    env: 'BERTH_OIDC_AUDIENCE',
    path: ['auth', 'oidc', 'audience'],
    doc: 'the aud API access tokens must carry (default: the client id)',
  },
  {
    env: 'BERTH_OIDC_SCOPES',
    path: ['auth', 'oidc', 'scopes'],
    doc: 'scopes asked for at sign-in (default openid profile email)',
  },
  {
    env: 'BERTH_OIDC_USER_CLAIM',
    path: ['auth', 'oidc', 'userClaim'],
    doc: 'claim naming the user (default email; sub when absent or unverified)',
  },
  {
    env: 'BERTH_OIDC_TENANT_CLAIM',
    path: ['auth', 'oidc', 'tenantClaim'],
    doc: 'claim naming the tenant (default berth_tenant)',
  },
  {
    env: 'BERTH_OIDC_ROLE_CLAIM',
    path: ['auth', 'oidc', 'roleClaim'],
    doc: "claim naming the role (default berth_role; absent: the user's membership)",
  },
  {
    env: 'BERTH_OIDC_DEFAULT_TENANT',
    path: ['auth', 'oidc', 'defaultTenant'],
    doc: 'tenant of tokens without a tenant claim (default default)',
  },
  {
    env: 'BERTH_OIDC_PROVIDER_NAME',
    path: ['auth', 'oidc', 'providerName'],
    doc: 'name on the sign-in button (default: the issuer host)',
  },
  {
    env: 'BERTH_SESSION_SECRET',
    path: ['auth', 'session', 'secret'],
    doc: 'key of the sign-in cookie, ≥ 32 characters, the same on every api replica; required with OIDC',
  },
  {
    env: 'BERTH_SESSION_TTL_MS',
    path: ['auth', 'session', 'ttlMs'],
    doc: 'how long a browser sign-in lasts (default 28800000, 8 h)',
  },
];
