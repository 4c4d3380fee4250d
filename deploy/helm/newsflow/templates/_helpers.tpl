{{/* Names and labels. */}}
{{- define "newsflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "newsflow.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "newsflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "newsflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: newsflow
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "cleaner"). */}}
{{- define "newsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsflow.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "newsflow.componentLabels" -}}
{{ include "newsflow.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "newsflow.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "newsflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "newsflow.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "newsflow.secretName" -}}
{{- default (include "newsflow.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Kafka transport security, from kafka.securityProtocol. */}}
{{- define "newsflow.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.securityProtocol -}}true{{- end -}}
{{- end -}}

{{- define "newsflow.kafkaTls" -}}
{{- if has .Values.kafka.securityProtocol (list "SSL" "SASL_SSL") -}}true{{- end -}}
{{- end -}}

{{/* Where the CA files are mounted, when there is one. */}}
{{- define "newsflow.certsDir" -}}/etc/newsflow/certs{{- end -}}

{{- define "newsflow.kafkaCa" -}}
{{- if and (include "newsflow.kafkaTls" .) (or .Values.kafka.tls.caSecret.name .Values.kafka.tls.ca) -}}true{{- end -}}
{{- end -}}

{{- define "newsflow.esCa" -}}
{{- if or .Values.elasticsearch.caSecret.name .Values.elasticsearch.ca -}}true{{- end -}}
{{- end -}}

{{/* KEDA's name for a SASL mechanism. */}}
{{- define "newsflow.kedaSasl" -}}
{{- $m := dict "PLAIN" "plaintext" "SCRAM-SHA-256" "scram_sha256" "SCRAM-SHA-512" "scram_sha512" -}}
{{- $v := get $m .Values.kafka.sasl.mechanism -}}
{{- if not $v -}}
{{- fail (printf "kafka.sasl.mechanism %q: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512" .Values.kafka.sasl.mechanism) -}}
{{- end -}}
{{- $v -}}
{{- end -}}

{{/* Settings a pod reads: the ConfigMap, the Secret, and secrets referenced by name. */}}
{{- define "newsflow.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "newsflow.fullname" . }}
  - secretRef:
      name: {{ include "newsflow.secretName" . }}
{{- end -}}

{{- define "newsflow.env" -}}
{{- $root := .root -}}
{{- $env := list -}}
{{- if and (include "newsflow.kafkaSasl" $root) $root.Values.kafka.sasl.passwordSecret.name -}}
{{- $env = append $env (dict "name" "NEWSFLOW_KAFKA_SASL_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $root.Values.kafka.sasl.passwordSecret.name "key" $root.Values.kafka.sasl.passwordSecret.key))) -}}
{{- end -}}
{{- if $root.Values.elasticsearch.passwordSecret.name -}}
{{- $env = append $env (dict "name" "NEWSFLOW_ELASTICSEARCH_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $root.Values.elasticsearch.passwordSecret.name "key" (required "elasticsearch.passwordSecret.key is required with elasticsearch.passwordSecret.name" $root.Values.elasticsearch.passwordSecret.key)))) -}}
{{- end -}}
{{- $env = concat $env (.extra | default list) -}}
{{- if $env }}
env:
{{- toYaml $env | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Volumes every newsflow pod has: a writable stack home and /tmp (the root filesystem is
read-only), and the CA files when there are any. */}}
{{- define "newsflow.volumes" -}}
- name: stack-home
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- if or (include "newsflow.kafkaCa" .) (include "newsflow.esCa" .) }}
- name: certs
  projected:
    sources:
      {{- if include "newsflow.kafkaCa" . }}
      {{- if .Values.kafka.tls.caSecret.name }}
      - secret:
          name: {{ .Values.kafka.tls.caSecret.name }}
          items:
            - key: {{ .Values.kafka.tls.caSecret.key }}
              path: kafka-ca.crt
      {{- else }}
      - secret:
          name: {{ include "newsflow.fullname" . }}-ca
          items:
            - key: kafka-ca.crt
              path: kafka-ca.crt
      {{- end }}
      {{- end }}
      {{- if include "newsflow.esCa" . }}
      {{- if .Values.elasticsearch.caSecret.name }}
      - secret:
          name: {{ .Values.elasticsearch.caSecret.name }}
          items:
            - key: {{ .Values.elasticsearch.caSecret.key }}
              path: elasticsearch-ca.crt
      {{- else }}
      - secret:
          name: {{ include "newsflow.fullname" . }}-ca
          items:
            - key: elasticsearch-ca.crt
              path: elasticsearch-ca.crt
      {{- end }}
      {{- end }}
{{- end }}
{{- end -}}

{{- define "newsflow.volumeMounts" -}}
- name: stack-home
  mountPath: /var/lib/newsflow/stack
- name: tmp
  mountPath: /tmp
{{- if or (include "newsflow.kafkaCa" .) (include "newsflow.esCa" .) }}
- name: certs
  mountPath: {{ include "newsflow.certsDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pod annotations: config checksums (a settings change rolls the pods) and Prometheus'. */}}
{{- define "newsflow.podAnnotations" -}}
{{- $root := .root -}}
checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
{{- if $root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ $root.Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The pod-level fields every newsflow pod shares. */}}
{{- define "newsflow.podCommon" -}}
serviceAccountName: {{ include "newsflow.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "newsflow.scheduling" -}}
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
{{- end -}}

{{- define "newsflow.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: {{ .port }}
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
{{- with .probe.timeoutSeconds }}
timeoutSeconds: {{ . }}
{{- end }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end -}}
