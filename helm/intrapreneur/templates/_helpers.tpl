{{/* Names, labels and the pieces every Intrapreneur pod shares. */}}

{{- define "intrapreneur.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "intrapreneur.fullname" -}}
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

{{- define "intrapreneur.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "intrapreneur.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component: call with (dict "root" $ "component" "web"). */}}
{{- define "intrapreneur.selectorLabels" -}}
app.kubernetes.io/name: {{ include "intrapreneur.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "intrapreneur.componentLabels" -}}
{{ include "intrapreneur.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "intrapreneur.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "intrapreneur.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "intrapreneur.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the pods read: the user's own, or the one this chart makes. */}}
{{- define "intrapreneur.secretName" -}}
{{- default (include "intrapreneur.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
Stops the install with one clear line when a secret setting is missing: there are no default
secrets. Included by every template that needs them, so `helm template` fails the same way.
*/}}
{{- define "intrapreneur.checkSecrets" -}}
{{- if not .Values.existingSecret }}
{{- $s := .Values.secrets }}
{{- if not $s.secretKey }}
{{- fail "secrets.secretKey is required (32+ random characters, e.g. `openssl rand -hex 32`), or name your own Secret in existingSecret" }}
{{- end }}
{{- if lt (len $s.secretKey) 32 }}
{{- fail "secrets.secretKey is too short: production needs at least 32 random characters" }}
{{- end }}
{{- if not $s.surveyPseudonymKey }}
{{- fail "secrets.surveyPseudonymKey is required (32+ random characters, different from secrets.secretKey, never changed), or name your own Secret in existingSecret" }}
{{- end }}
{{- if lt (len $s.surveyPseudonymKey) 32 }}
{{- fail "secrets.surveyPseudonymKey is too short: production needs at least 32 random characters" }}
{{- end }}
{{- if eq $s.secretKey $s.surveyPseudonymKey }}
{{- fail "secrets.surveyPseudonymKey must differ from secrets.secretKey: the secret key may be rotated, the pseudonym key never" }}
{{- end }}
{{- if and (not $s.databaseUrl) (not .Values.postgresql.enabled) }}
{{- fail "secrets.databaseUrl is required (e.g. postgresql+psycopg://USER:PASSWORD@HOST:5432/intrapreneur), or set postgresql.enabled=true for a trial database, or name your own Secret in existingSecret" }}
{{- end }}
{{- if and $s.databaseUrl .Values.postgresql.enabled }}
{{- fail "give either secrets.databaseUrl (external PostgreSQL) or postgresql.enabled=true (bundled), not both" }}
{{- end }}
{{- if and .Values.directory.bindDn (not $s.ldapBindPassword) }}
{{- fail "secrets.ldapBindPassword is required when directory.bindDn is set" }}
{{- end }}
{{- if and $s.smtpUrl (not .Values.config.mailFrom) }}
{{- fail "config.mailFrom is required with secrets.smtpUrl: the sender address of every email" }}
{{- end }}
{{- if and .Values.oidc.issuer (not $s.oidcClientSecret) }}
{{- fail "secrets.oidcClientSecret is required when oidc.issuer is set: the app's client secret at the OpenID provider" }}
{{- end }}
{{- if and (not (empty $s.samlSpKey)) (empty $s.samlSpCert) }}
{{- fail "secrets.samlSpKey and secrets.samlSpCert go together" }}
{{- end }}
{{- if and (empty $s.samlSpKey) (not (empty $s.samlSpCert)) }}
{{- fail "secrets.samlSpKey and secrets.samlSpCert go together" }}
{{- end }}
{{- range $s.secretKeyFallbacks }}
{{- if lt (len .) 32 }}
{{- fail "secrets.secretKeyFallbacks holds a key shorter than 32 characters: list only earlier values of secrets.secretKey" }}
{{- end }}
{{- end }}
{{- if and .Values.worker.enabled (not $s.redisUrl) (not .Values.redis.enabled) }}
{{- fail "the worker needs Redis: set secrets.redisUrl, or redis.enabled=true for a trial Redis, or worker.enabled=false" }}
{{- end }}
{{- end }}
{{- if and .Values.oidc.issuer (not .Values.oidc.clientId) }}
{{- fail "oidc.clientId is required when oidc.issuer is set: the app's client id at the OpenID provider" }}
{{- end }}
{{- if and (not .Values.config.passwordSignIn) (not .Values.oidc.issuer) (not .Values.saml.idpMetadata) }}
{{- fail "config.passwordSignIn=false needs oidc.issuer or saml.idpMetadata: employees would have no way to sign in" }}
{{- end }}
{{- if and .Values.oidc.issuer .Values.saml.idpMetadata }}
{{- fail "oidc.issuer and saml.idpMetadata: choose one single sign-on, not both" }}
{{- end }}
{{- if and .Values.saml.idpMetadata (not .Values.saml.spEntityId) }}
{{- fail "saml.spEntityId is required when saml.idpMetadata is set: the app's entity id at the IdP" }}
{{- end }}
{{- if and .Values.postgresql.enabled (not .Values.postgresql.auth.password) (not .Values.postgresql.auth.existingSecret) }}
{{- fail "postgresql.auth.password (or postgresql.auth.existingSecret) is required for the bundled PostgreSQL" }}
{{- end }}
{{- end }}

{{- define "intrapreneur.postgresqlHost" -}}
{{- printf "%s-postgresql" (include "intrapreneur.fullname" .) }}
{{- end }}

{{- define "intrapreneur.redisHost" -}}
{{- printf "%s-redis" (include "intrapreneur.fullname" .) }}
{{- end }}

{{/* The ConfigMap's data: non-secret INTRAPRENEUR_* settings, the empty ones left out. */}}
{{- define "intrapreneur.configData" -}}
{{- $c := .Values.config }}
{{- $d := .Values.directory }}
{{- $o := .Values.oidc }}
{{- $m := .Values.saml }}
{{- $vars := dict
  "INTRAPRENEUR_ENV" $c.environment
  "INTRAPRENEUR_BREAK_GLASS_ADMIN" (ternary "true" "" $c.breakGlassAdmin)
  "INTRAPRENEUR_SYNC_MAX_DEACTIVATE_SHARE" $c.syncMaxDeactivateShare
  "INTRAPRENEUR_INVITATION_DAYS" $c.invitationDays
  "INTRAPRENEUR_GUEST_ACCESS_DAYS" $c.guestAccessDays
  "INTRAPRENEUR_PASSWORD_MIN_LENGTH" $c.passwordMinLength
  "INTRAPRENEUR_LOGIN_RATE_LIMIT" $c.loginRateLimit
  "INTRAPRENEUR_TRUSTED_PROXIES" $c.trustedProxies
  "INTRAPRENEUR_MAIL_FROM" $c.mailFrom
  "INTRAPRENEUR_BASE_URL" $c.baseUrl
  "INTRAPRENEUR_METRICS_ALLOW" $c.metricsAllow
  "INTRAPRENEUR_LOG_LEVEL" $c.logLevel
  "INTRAPRENEUR_SYSLOG_ADDRESS" $c.syslogAddress
  "INTRAPRENEUR_SYSLOG_FACILITY" $c.syslogFacility
  "INTRAPRENEUR_SYSLOG_APP_LOG" (ternary "true" "" $c.syslogAppLog)
  "INTRAPRENEUR_API_TOKEN_DAYS" $c.apiTokenDays
  "INTRAPRENEUR_API_TOKEN_MAX_DAYS" $c.apiTokenMaxDays
  "INTRAPRENEUR_DEFAULT_TIME_ZONE" $c.defaultTimeZone
  "INTRAPRENEUR_DEFAULT_LOCALE" $c.defaultLocale
  "INTRAPRENEUR_PASSWORD_SIGN_IN" (ternary "" "false" $c.passwordSignIn)
  "INTRAPRENEUR_LOCAL_MFA" $c.localMfa
  "INTRAPRENEUR_SESSION_IDLE_MINUTES" $c.sessionIdleMinutes
  "INTRAPRENEUR_SESSION_MAX_HOURS" $c.sessionMaxHours
  "INTRAPRENEUR_REVIEW_OVERDUE_DAYS" $c.reviewOverdueDays
  "INTRAPRENEUR_SMTP_CA_FILE" $c.smtpCaFile
  "INTRAPRENEUR_SMTP_TIMEOUT" $c.smtpTimeout
  "INTRAPRENEUR_SURVEY_INSTRUMENTS_DIR" $c.surveyInstrumentsDir
  "INTRAPRENEUR_JOBS_QUEUE" $c.jobsQueue
  "INTRAPRENEUR_JOB_RETRY_DELAYS" $c.jobRetryDelays
  "PROMETHEUS_MULTIPROC_DIR" "/tmp/prometheus"
  "INTRAPRENEUR_WEB_WORKERS" .Values.web.workers
  "INTRAPRENEUR_FORWARDED_ALLOW_IPS" .Values.web.forwardedAllowIps
  "INTRAPRENEUR_LDAP_URL" $d.url
  "INTRAPRENEUR_LDAP_BIND_DN" $d.bindDn
  "INTRAPRENEUR_LDAP_USER_BASE" $d.userBase
  "INTRAPRENEUR_LDAP_USER_FILTER" $d.userFilter
  "INTRAPRENEUR_LDAP_GROUP_BASE" $d.groupBase
  "INTRAPRENEUR_LDAP_GROUP_MEMBERSHIP" $d.groupMembership
  "INTRAPRENEUR_LDAP_GROUP_MEMBER_ATTRIBUTE" $d.groupMemberAttribute
  "INTRAPRENEUR_LDAP_NESTED_GROUPS" (ternary "true" "" $d.nestedGroups)
  "INTRAPRENEUR_LDAP_ACTIVE_DIRECTORY" (ternary "true" "" $d.activeDirectory)
  "INTRAPRENEUR_LDAP_START_TLS" (ternary "true" "" $d.startTls)
  "INTRAPRENEUR_LDAP_CA_FILE" $d.caFile
  "INTRAPRENEUR_LDAP_TIMEOUT" $d.timeout
  "INTRAPRENEUR_LDAP_PAGE_SIZE" $d.pageSize
  "INTRAPRENEUR_LDAP_ROLE_MAP" (ternary ($d.roleMap | toJson) "" (not (empty $d.roleMap)))
  "INTRAPRENEUR_LDAP_ATTR_MAP" (ternary ($d.attributeMap | toJson) "" (not (empty $d.attributeMap)))
  "INTRAPRENEUR_REDIS_URL" (ternary (printf "redis://%s:6379/0" (include "intrapreneur.redisHost" .)) "" .Values.redis.enabled)
  "INTRAPRENEUR_OIDC_ISSUER" $o.issuer
  "INTRAPRENEUR_OIDC_CLIENT_ID" $o.clientId
  "INTRAPRENEUR_OIDC_SCOPES" $o.scopes
  "INTRAPRENEUR_OIDC_MATCH_CLAIM" $o.matchClaim
  "INTRAPRENEUR_OIDC_GROUPS_CLAIM" $o.groupsClaim
  "INTRAPRENEUR_OIDC_DISPLAY_NAME" $o.displayName
  "INTRAPRENEUR_OIDC_TIMEOUT" $o.timeout
  "INTRAPRENEUR_SAML_IDP_METADATA" $m.idpMetadata
  "INTRAPRENEUR_SAML_SP_ENTITY_ID" $m.spEntityId
  "INTRAPRENEUR_SAML_MATCH" $m.match
  "INTRAPRENEUR_SAML_EMAIL_ATTRIBUTE" $m.emailAttribute
  "INTRAPRENEUR_SAML_USERNAME_ATTRIBUTE" $m.usernameAttribute
  "INTRAPRENEUR_SAML_GROUPS_ATTRIBUTE" $m.groupsAttribute
  "INTRAPRENEUR_SAML_DISPLAY_NAME" $m.displayName
  "INTRAPRENEUR_SAML_CLOCK_SKEW" $m.clockSkew
  "INTRAPRENEUR_SAML_TIMEOUT" $m.timeout
}}
{{- $data := dict }}
{{- range $name, $value := merge $vars $c.extra }}
{{- if ne (toString $value) "" }}
{{- $_ := set $data $name (toString $value) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* The Secret's data (base64), for the Secret this chart makes. */}}
{{- define "intrapreneur.secretData" -}}
{{- $s := .Values.secrets }}
{{- $databaseUrl := $s.databaseUrl }}
{{- if .Values.postgresql.enabled }}
{{- $databaseUrl = printf "postgresql+psycopg://intrapreneur:%s@%s:5432/intrapreneur" (urlquery .Values.postgresql.auth.password | replace "+" "%20") (include "intrapreneur.postgresqlHost" .) }}
{{- end }}
{{- $vars := dict
  "INTRAPRENEUR_SECRET_KEY" $s.secretKey
  "INTRAPRENEUR_SURVEY_PSEUDONYM_KEY" $s.surveyPseudonymKey
  "INTRAPRENEUR_DATABASE_URL" $databaseUrl
  "INTRAPRENEUR_REDIS_URL" $s.redisUrl
  "INTRAPRENEUR_LDAP_BIND_PASSWORD" $s.ldapBindPassword
  "INTRAPRENEUR_SMTP_URL" $s.smtpUrl
  "INTRAPRENEUR_METRICS_TOKEN" $s.metricsToken
  "INTRAPRENEUR_OIDC_CLIENT_SECRET" $s.oidcClientSecret
  "INTRAPRENEUR_SAML_SP_KEY" $s.samlSpKey
  "INTRAPRENEUR_SAML_SP_CERT" $s.samlSpCert
  "INTRAPRENEUR_SECRET_KEY_FALLBACKS" (join "," $s.secretKeyFallbacks)
}}
{{- $data := dict }}
{{- range $name, $value := merge $vars $s.extra }}
{{- if ne (toString $value) "" }}
{{- $_ := set $data $name (toString $value | b64enc) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
Pod settings shared by web, worker, scheduled and migration pods.
Call with (dict "root" $ "values" .Values.web): values may hold nodeSelector, tolerations, affinity.
*/}}
{{- define "intrapreneur.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "intrapreneur.serviceAccountName" $root }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # The root filesystem is read-only; gunicorn's heartbeat files and exports go to /tmp.
  - name: tmp
    emptyDir: {}
  {{- with $root.Values.extraVolumes }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/*
Container settings shared by every Intrapreneur container: image, settings, security, /tmp.
Call with (dict "root" $ "configMap" NAME "secret" NAME); the migration Job names its own
hook copies of the ConfigMap and Secret.
*/}}
{{- define "intrapreneur.container" -}}
{{- $root := .root -}}
image: {{ include "intrapreneur.image" $root | quote }}
imagePullPolicy: {{ $root.Values.image.pullPolicy }}
envFrom:
  - configMapRef:
      name: {{ .configMap }}
  - secretRef:
      name: {{ .secret }}
{{- with $root.Values.extraEnv }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.securityContext | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- with $root.Values.extraVolumeMounts }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* Checksums that roll the pods when the settings change. */}}
{{- define "intrapreneur.checksums" -}}
checksum/config: {{ include "intrapreneur.configData" . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include "intrapreneur.secretData" . | sha256sum }}
{{- end }}
{{- end }}
