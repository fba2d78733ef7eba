{{/*
The api and worker Deployments have one shape (deploy/kubernetes/base has the same): the role is the
container's args, its HTTP port is named "http". Pass (dict "ctx" $ "component" "api" "port" 8080).
*/}}
{{- define "berth.deployment" -}}
{{- $ctx := .ctx }}
{{- $role := index $ctx.Values .component }}
{{- $autoscaled := or $role.autoscaling.enabled (dig "keda" "enabled" false $role.autoscaling) }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "berth.fullname" $ctx }}-{{ .component }}
  labels:
    {{- include "berth.labels" . | nindent 4 }}
spec:
  {{- if not $autoscaled }}
  {{- /* Left out while an autoscaler owns the count, so an upgrade does not reset it. */}}
  replicas: {{ $role.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "berth.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Never below the current count during a rollout: a new pod is ready before an old one goes.
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "berth.labels" . | nindent 8 }}
        {{- with $role.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .port | quote }}
        prometheus.io/path: /metrics
        {{- include "berth.checksums" $ctx | nindent 8 }}
        {{- with $role.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "berth.serviceAccountName" $ctx }}
      automountServiceAccountToken: false
      {{- with $role.runtimeClassName }}
      runtimeClassName: {{ . }}
      {{- end }}
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $role.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $role.podSecurityContext | nindent 8 }}
      {{- with include "berth.topologySpread" (dict "ctx" $ctx "component" .component "role" $role) }}
      {{- . | trim | nindent 6 }}
      {{- end }}
      {{- with include "berth.scheduling" $role }}
      {{- . | trim | nindent 6 }}
      {{- end }}
      containers:
        - name: berth
          image: {{ include "berth.image" $ctx }}
          imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
          args: [{{ .component | quote }}]
          ports:
            - name: http
              containerPort: {{ .port }}
              protocol: TCP
          envFrom:
            {{- include "berth.envFrom" $ctx | nindent 12 }}
          {{- with $role.extraEnv }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          startupProbe:
            {{- toYaml $role.probes.startup | nindent 12 }}
          livenessProbe:
            {{- toYaml $role.probes.liveness | nindent 12 }}
          readinessProbe:
            {{- toYaml $role.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml $role.resources | nindent 12 }}
          securityContext:
            {{- toYaml $role.securityContext | nindent 12 }}
          volumeMounts:
            {{- include "berth.volumeMounts" . | nindent 12 }}
      volumes:
        {{- include "berth.volumes" (dict "role" $role) | nindent 8 }}
{{- end }}
