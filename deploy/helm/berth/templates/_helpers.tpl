{{/*
Names. With the default release name "berth" every object is named as in deploy/kubernetes/base
(berth-api, berth-worker, berth-config, berth-secrets, …): the release name is the full name when it
already contains the chart name, the usual Helm convention.
*/}}
{{- define "berth.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "berth.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "berth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object; pass (dict "ctx" $ "component" "api"). */}}
{{- define "berth.labels" -}}
helm.sh/chart: {{ include "berth.chart" .ctx }}
{{ include "berth.selectorLabels" . }}
app.kubernetes.io/part-of: berth
app.kubernetes.io/version: {{ include "berth.imageTag" .ctx | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels (immutable on Deployments: never add a label that may change). */}}
{{- define "berth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "berth.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{- define "berth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "berth.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "berth.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* One image reference for every role; a digest pins it and the tag stays for readers. */}}
{{- define "berth.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "berth.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{- define "berth.configMapName" -}}
{{- printf "%s-config" (include "berth.fullname" .) }}
{{- end }}

{{/* The Secret every role reads DATABASE_URL, REDIS_URL and the keys from. */}}
{{- define "berth.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "berth.fullname" .) }}
{{- end }}
{{- end }}

{{/* The dev datastores, named as in deploy/kubernetes/components/in-cluster-datastores. */}}
{{- define "berth.postgresql.fullname" -}}
{{- printf "%s-postgres" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "berth.datastores.secretName" -}}
{{- printf "%s-datastores" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "berth.redis.fullname" -}}
{{- printf "%s-redis" (include "berth.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
berth.yaml key → environment variable, for the ConfigMap. Only non-secret settings; the mapping is
src/platform/config/env-map.ts's, and test/deploy/helm.test.ts checks every entry against it.
*/}}
{{- define "berth.configEnv" -}}
logLevel: LOG_LEVEL
auth.mode: BERTH_AUTH
redisPrefix: BERTH_REDIS_PREFIX
server.shutdownGraceMs: BERTH_SHUTDOWN_GRACE_MS
server.bodyLimitBytes: BERTH_BODY_LIMIT_BYTES
server.requestTimeoutMs: BERTH_REQUEST_TIMEOUT_MS
llm.provider: BERTH_LLM_PROVIDER
llm.model: BERTH_LLM_MODEL
llm.timeoutMs: BERTH_LLM_TIMEOUT_MS
llm.maxRetries: BERTH_LLM_MAX_RETRIES
llm.breaker.consecutiveFailures: BERTH_LLM_BREAKER_FAILURES
llm.breaker.halfOpenAfterMs: BERTH_LLM_BREAKER_RESET_MS
llm.openai.baseUrl: OPENAI_BASE_URL
llm.anthropic.baseUrl: ANTHROPIC_BASE_URL
llm.ollama.baseUrl: OLLAMA_BASE_URL
llm.openaiCompatible.baseUrl: BERTH_LLM_BASE_URL
chat.maxMessageChars: BERTH_MAX_MESSAGE_CHARS
tasks.workerConcurrency: BERTH_WORKER_CONCURRENCY
tasks.maxStepAttempts: BERTH_STEP_MAX_ATTEMPTS
tasks.retryBaseMs: BERTH_STEP_RETRY_BASE_MS
tasks.maxDescriptionChars: BERTH_MAX_TASK_CHARS
worker.shutdownGraceMs: BERTH_WORKER_SHUTDOWN_GRACE_MS
worker.leaseMs: BERTH_STEP_LEASE_MS
worker.reconcileIntervalMs: BERTH_RECONCILE_INTERVAL_MS
worker.staleReadyMs: BERTH_RECONCILE_STALE_MS
worker.lockDurationMs: BERTH_QUEUE_LOCK_MS
worker.stalledIntervalMs: BERTH_QUEUE_STALLED_INTERVAL_MS
worker.stuckAfterMs: BERTH_WORKER_STUCK_MS
tools.fetchAllow: BERTH_FETCH_ALLOW
tools.webhookAllow: BERTH_WEBHOOK_ALLOW
tools.smtp.from: BERTH_SMTP_FROM
audit.checkpointEvery: BERTH_AUDIT_CHECKPOINT_EVERY
approvals.expiresAfterMs: BERTH_APPROVAL_TTL_MS
approvals.requireSecondPerson: BERTH_APPROVAL_FOUR_EYES
budgets.costAlertUsd: BERTH_COST_ALERT_THRESHOLD
budgets.tenant.dailyTokens: BERTH_TENANT_DAILY_TOKENS
budgets.tenant.monthlyTokens: BERTH_TENANT_MONTHLY_TOKENS
budgets.tenant.dailyUsd: BERTH_TENANT_DAILY_USD
budgets.tenant.monthlyUsd: BERTH_TENANT_MONTHLY_USD
{{- end }}

{{/*
The ConfigMap's data as a dict (env name → string): a null or empty value is left out so Berth's own
default applies; whole numbers print as integers (values.yaml numbers are floats to Helm), fractions as
written; lists join with ",".
*/}}
{{- define "berth.configData" -}}
{{- $data := dict }}
{{- range $path, $env := include "berth.configEnv" . | fromYaml }}
{{- $value := $.Values.config }}
{{- range $key := splitList "." $path }}
{{- if kindIs "map" $value }}
{{- $value = index $value $key }}
{{- else }}
{{- $value = nil }}
{{- end }}
{{- end }}
{{- if and (eq $path "auth.mode") (kindIs "bool" $value) }}
{{- /* An unquoted `off` is YAML 1.1's false to Helm; the schema admits only false. */}}
{{- $value = "off" }}
{{- else if kindIs "slice" $value }}
{{- $value = join "," $value }}
{{- else if and (kindIs "float64" $value) (ne $value (float64 (int64 $value))) }}
{{- /* A fraction (USD budgets): as written; a whole float would print as 1e+06. */}}
{{- $value = toString $value }}
{{- else if or (kindIs "float64" $value) (kindIs "int64" $value) (kindIs "int" $value) }}
{{- $value = printf "%d" (int64 $value) }}
{{- end }}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") }}
{{- $_ := set $data $env (toString $value) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
Checks no schema can express, run by every template that includes it (the first failure stops the render).
*/}}
{{- define "berth.validate" -}}
{{- $sources := list }}
{{- if .Values.secrets.create }}{{ $sources = append $sources "secrets.create" }}{{ end }}
{{- if .Values.secrets.existingSecret }}{{ $sources = append $sources "secrets.existingSecret" }}{{ end }}
{{- if .Values.externalSecret.enabled }}{{ $sources = append $sources "externalSecret.enabled" }}{{ end }}
{{- if ne (len $sources) 1 }}
{{- fail (printf "choose exactly one source of Berth's Secret: secrets.create, secrets.existingSecret or externalSecret.enabled (set: %s)" (default "none" (join ", " $sources))) }}
{{- end }}
{{- if and .Values.worker.autoscaling.enabled .Values.worker.autoscaling.keda.enabled }}
{{- fail "worker.autoscaling.enabled (HPA) and worker.autoscaling.keda.enabled are both true: KEDA creates its own HPA for the worker Deployment, and two autoscalers would fight over its replicas. Enable one of them." }}
{{- end }}
{{- if and .Values.worker.autoscaling.keda.enabled (not .Values.worker.autoscaling.keda.redis.address) (not .Values.redis.enabled) }}
{{- fail "worker.autoscaling.keda.redis.address is required (host:port of Redis) when redis.enabled is false" }}
{{- end }}
{{- $workerGraceMs := int64 (default 20000 .Values.config.worker.shutdownGraceMs) }}
{{- if le (mul (int64 .Values.worker.terminationGracePeriodSeconds) 1000) $workerGraceMs }}
{{- fail (printf "worker.terminationGracePeriodSeconds (%d s) must exceed config.worker.shutdownGraceMs (%d ms), or Kubernetes kills running steps before the worker hands them back" (int64 .Values.worker.terminationGracePeriodSeconds) $workerGraceMs) }}
{{- end }}
{{- $apiGraceMs := int64 (default 10000 .Values.config.server.shutdownGraceMs) }}
{{- if le (mul (int64 .Values.api.terminationGracePeriodSeconds) 1000) $apiGraceMs }}
{{- fail (printf "api.terminationGracePeriodSeconds (%d s) must exceed config.server.shutdownGraceMs (%d ms), or Kubernetes kills the api before it drains" (int64 .Values.api.terminationGracePeriodSeconds) $apiGraceMs) }}
{{- end }}
{{- if and (ne .Values.config.llm.provider "offline") (not .Values.config.llm.model) }}
{{- fail (printf "config.llm.model is required when config.llm.provider is %s" .Values.config.llm.provider) }}
{{- end }}
{{- if .Values.secrets.create }}
{{- $values := .Values.secrets.values }}
{{- if and (not .Values.postgresql.enabled) (not $values.DATABASE_URL) }}
{{- fail "secrets.values.DATABASE_URL is required with secrets.create when postgresql.enabled is false" }}
{{- end }}
{{- if and (not .Values.redis.enabled) (not $values.REDIS_URL) }}
{{- fail "secrets.values.REDIS_URL is required with secrets.create when redis.enabled is false" }}
{{- end }}
{{- end }}
{{- range $store, $url := dict "postgresql" "DATABASE_URL" "redis" "REDIS_URL" }}
{{- $values := index $.Values $store }}
{{- if and $values.enabled (not $.Values.secrets.create) (not $values.auth.password) }}
{{- fail (printf "%s.auth.password is required when Berth's Secret is not made by the chart (secrets.create: false): the %s you put in it must contain the password" $store $url) }}
{{- end }}
{{- end }}
{{- range $component := list "api" "worker" }}
{{- $pdb := (index $.Values $component).pdb }}
{{- if and $pdb.enabled (hasKey $pdb "minAvailable") (hasKey $pdb "maxUnavailable") (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail (printf "%s.pdb: set minAvailable or maxUnavailable, not both (set the other to null)" $component) }}
{{- end }}
{{- if and $pdb.enabled (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable) }}
{{- fail (printf "%s.pdb: set minAvailable or maxUnavailable" $component) }}
{{- end }}
{{- end }}
{{- if and .Values.externalSecret.enabled (not .Values.externalSecret.secretStoreRef.name) }}
{{- fail "externalSecret.secretStoreRef.name is required when externalSecret.enabled is true" }}
{{- end }}
{{- if and .Values.externalSecret.enabled (empty .Values.externalSecret.data) (not .Values.externalSecret.remoteKey) }}
{{- fail "externalSecret: list the keys in externalSecret.data, or name one remote secret in externalSecret.remoteKey" }}
{{- end }}
{{- if and .Values.gateway.enabled (empty .Values.gateway.parentRefs) }}
{{- fail "gateway.parentRefs needs at least one Gateway when gateway.enabled is true" }}
{{- end }}
{{- end }}

{{/*
Whether the migrate hook can run before the release's objects exist: only when it needs none of them
(external Postgres and a Secret that is already there). See migrate in values.yaml.
*/}}
{{- define "berth.migrate.preInstall" -}}
{{- if and (not .Values.postgresql.enabled) .Values.secrets.existingSecret }}true{{ end }}
{{- end }}

{{/* The two writable paths of the read-only image; pass (dict "role" .Values.api). */}}
{{- define "berth.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .role.tmpSizeLimit }}
- name: data
  emptyDir:
    sizeLimit: {{ .role.dataSizeLimit }}
{{- end }}

{{- define "berth.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end }}

{{/* envFrom of the long-running roles: settings, then secrets. */}}
{{- define "berth.envFrom" -}}
- configMapRef:
    name: {{ include "berth.configMapName" . }}
- secretRef:
    name: {{ include "berth.secretName" . }}
    optional: false
{{- end }}

{{/* Spread a role's pods over zones and nodes; pass (dict "ctx" $ "component" "api" "role" .Values.api). */}}
{{- define "berth.topologySpread" -}}
{{- if .role.topologySpread.enabled }}
topologySpreadConstraints:
{{- range .role.topologySpread.topologyKeys }}
  - maxSkew: {{ $.role.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.role.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "berth.selectorLabels" $ | nindent 8 }}
{{- end }}
{{- end }}
{{- end }}

{{/* Pod scheduling knobs shared by the roles; pass the role's values. */}}
{{- define "berth.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Restart pods when their settings or secrets change (envFrom is read only at container start). */}}
{{- define "berth.checksums" -}}
checksum/config: {{ include "berth.configData" . | sha256sum }}
{{- if .Values.secrets.create }}
{{- /* The inputs, not the rendered Secret: a generated value would change the sum on every render. */}}
checksum/secrets: {{ toJson .Values.secrets.values | sha256sum }}
{{- end }}
{{- end }}
