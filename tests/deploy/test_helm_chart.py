"""The Helm chart, linted and rendered by Helm's own engine (its Go SDK, through
helm-python-sdk), and the rendered manifests read back as YAML."""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator
from logging.handlers import SysLogHandler
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import make_url

from intrapreneur import settings
from intrapreneur.core.schedule import SCHEDULE
from tests.identity.saml_idp import key_and_certificate

helm = pytest.importorskip(
    "helm_python", reason="helm-python-sdk (Helm's engine) is not installed: pip install -e .[test]"
)

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "intrapreneur"
RELEASE = "demo"
FULLNAME = "demo-intrapreneur"

SECRET_KEY = "k" * 24 + "-secret-key-0123456789"
PSEUDONYM_KEY = "p" * 24 + "-pseudonym-key-0123456789"
DATABASE_URL = "postgresql+psycopg://intrapreneur:db-password-4711@db.example.com:5432/intrapreneur"
REDIS_URL = "redis://:redis-password-4712@redis.example.com:6379/0"
LDAP_PASSWORD = "ldap-password-4713"
SMTP_URL = "smtp://mailer:smtp-password-4714@mail.example.com:587"
POSTGRES_PASSWORD = "bundled pg/password@4715"
METRICS_TOKEN = "metrics-token-4716"
OIDC_CLIENT_SECRET = "oidc-client-secret-4717"
EARLIER_SECRET_KEY = "e" * 24 + "-earlier-secret-key-4718"

SAML_METADATA = "https://idp.example.com/metadata.xml"
SAML_ENTITY_ID = "https://intrapreneur.example.com/sign-in/saml/metadata"
MINIMUM = {
    "secrets": {
        "secretKey": SECRET_KEY,
        "surveyPseudonymKey": PSEUDONYM_KEY,
        "databaseUrl": DATABASE_URL,
        "redisUrl": REDIS_URL,
    }
}

EVERYTHING_ON = {
    "secrets": {
        "secretKey": SECRET_KEY,
        "surveyPseudonymKey": PSEUDONYM_KEY,
        "ldapBindPassword": LDAP_PASSWORD,
        "smtpUrl": SMTP_URL,
        "extra": {"INTRAPRENEUR_METRICS_TOKEN": METRICS_TOKEN},
        "oidcClientSecret": OIDC_CLIENT_SECRET,
        "secretKeyFallbacks": [EARLIER_SECRET_KEY],
    },
    "config": {
        "breakGlassAdmin": True,
        "passwordSignIn": False,
        "localMfa": "required",
        "sessionIdleMinutes": 30,
        "sessionMaxHours": 9,
        "syncMaxDeactivateShare": 0.2,
        "invitationDays": 21,
        "defaultTimeZone": "America/Chicago",
        "mailFrom": "Intrapreneur <intrapreneur@example.com>",
        "baseUrl": "https://intrapreneur.example.com",
        "smtpTimeout": 20,
        "syslogAddress": "syslog.logging.svc:514",
        "syslogFacility": "local4",
        "syslogAppLog": True,
        "apiTokenDays": 30,
        "apiTokenMaxDays": 180,
    },
    "directory": {
        "url": "ldaps://ldap1.example.com ldaps://ldap2.example.com",
        "bindDn": "cn=intrapreneur,ou=services,dc=example,dc=com",
        "userBase": "ou=people,dc=example,dc=com",
        "groupBase": "ou=groups,dc=example,dc=com",
        "nestedGroups": True,
        "roleMap": {"hr": ["cn=hr,ou=groups,dc=example,dc=com"]},
        "attributeMap": {"department": "ou"},
        "timeout": 7,
    },
    "oidc": {
        "issuer": "https://login.example.com/realms/corp",
        "clientId": "intrapreneur",
        "matchClaim": "oid",
        "groupsClaim": "groups",
        "displayName": "Example Corp",
        "timeout": 12,
    },
    "postgresql": {"enabled": True, "auth": {"password": POSTGRES_PASSWORD}},
    "redis": {"enabled": True},
    "web": {"autoscaling": {"enabled": True}, "podDisruptionBudget": {"enabled": True}},
    "ingress": {"enabled": True, "className": "nginx", "host": "intrapreneur.example.com"},
    "networkPolicy": {"enabled": True},
    "scheduler": {"timeZone": "Europe/London", "reminders": {"schedule": "30 6 * * 1-5"}},
    "extraVolumes": [{"name": "ldap-ca", "configMap": {"name": "ldap-ca"}}],
    "extraVolumeMounts": [{"name": "ldap-ca", "mountPath": "/etc/ldap-ca", "readOnly": True}],
}
SECRET_VALUES = (
    SECRET_KEY,
    PSEUDONYM_KEY,
    DATABASE_URL,
    REDIS_URL,
    LDAP_PASSWORD,
    SMTP_URL,
    POSTGRES_PASSWORD,
    "db-password-4711",
    "redis-password-4712",
    "smtp-password-4714",
    METRICS_TOKEN,
    OIDC_CLIENT_SECRET,
    EARLIER_SECRET_KEY,
)


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merged(result[key], value)
        else:
            result[key] = value
    return result


def _render_text(values: dict[str, Any]) -> dict[str, str]:
    with helm.Chart.load(str(CHART)) as chart:
        return chart.render(values, name=RELEASE, namespace="intrapreneur", is_install=True)


def render(values: dict[str, Any]) -> list[dict[str, Any]]:
    manifests = []
    for path, text in _render_text(values).items():
        if path.endswith(".yaml"):
            manifests += [doc for doc in yaml.safe_load_all(text) if doc]
    return manifests


def find(manifests: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [m for m in manifests if m["kind"] == kind and name in (None, m["metadata"]["name"])]
    assert len(found) == 1, f"{len(found)} {kind} named {name}"
    return found[0]


def kinds(manifests: list[dict[str, Any]]) -> set[str]:
    return {m["kind"] for m in manifests}


def pod_specs(manifests: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(workload name, pod spec) of every Deployment, StatefulSet, Job and CronJob."""
    for manifest in manifests:
        spec = manifest.get("spec", {})
        if manifest["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if "template" in spec:
            yield manifest["metadata"]["name"], spec["template"]["spec"]


def error_of(values: dict[str, Any]) -> str:
    with pytest.raises(helm.HelmError) as raised:
        _render_text(values)
    return str(raised.value)


@pytest.fixture(scope="module")
def minimum() -> list[dict[str, Any]]:
    return render(MINIMUM)


@pytest.fixture(scope="module")
def everything() -> list[dict[str, Any]]:
    return render(EVERYTHING_ON)


@pytest.mark.parametrize("values", [{}, MINIMUM, EVERYTHING_ON], ids=["defaults", "min", "all"])
def test_helm_lint_is_clean(values: dict[str, Any]) -> None:
    report = helm.lint(str(CHART), values, strict=True)

    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert (report["errors"], problems) == ([], [])


def test_the_minimum_values_make_an_external_database_production_set_up(
    minimum: list[dict[str, Any]],
) -> None:
    assert kinds(minimum) == {
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "CronJob",
        "Job",
    }
    web = find(minimum, "Deployment", f"{FULLNAME}-web")
    assert web["spec"]["replicas"] == 2
    worker = find(minimum, "Deployment", f"{FULLNAME}-worker")
    assert worker["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "intrapreneur",
        "worker",
    ]


def test_everything_on_renders_every_optional_part(everything: list[dict[str, Any]]) -> None:
    assert {
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "Ingress",
        "NetworkPolicy",
        "StatefulSet",
    } <= kinds(everything)
    find(everything, "StatefulSet", f"{FULLNAME}-postgresql")
    find(everything, "Deployment", f"{FULLNAME}-redis")
    policies = {m["metadata"]["name"] for m in everything if m["kind"] == "NetworkPolicy"}
    assert policies == {f"{FULLNAME}-web", f"{FULLNAME}-postgresql", f"{FULLNAME}-redis"}


def test_migrations_run_in_a_pre_install_pre_upgrade_hook(minimum: list[dict[str, Any]]) -> None:
    job = find(minimum, "Job", f"{FULLNAME}-migrations")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"].split(",")
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["intrapreneur", "db", "upgrade"]
    # Hooks run before the release's own ConfigMap and Secret exist: the Job must read hook
    # copies made earlier in the same phase.
    sources = {
        ("ConfigMap", ref["configMapRef"]["name"]) if "configMapRef" in ref else None
        for ref in container["envFrom"]
    } | {("Secret", ref["secretRef"]["name"]) for ref in container["envFrom"] if "secretRef" in ref}
    sources.discard(None)
    for kind, name in sources:
        source = find(minimum, kind, name)["metadata"]["annotations"]
        assert source["helm.sh/hook"] == annotations["helm.sh/hook"]
        assert int(source["helm.sh/hook-weight"]) < int(annotations["helm.sh/hook-weight"])


def test_a_bundled_database_is_migrated_after_it_is_installed(
    everything: list[dict[str, Any]],
) -> None:
    job = find(everything, "Job", f"{FULLNAME}-migrations")

    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"


def test_web_probes_use_healthz_and_readyz(minimum: list[dict[str, Any]]) -> None:
    web = find(minimum, "Deployment", f"{FULLNAME}-web")
    container = web["spec"]["template"]["spec"]["containers"][0]

    assert container["command"] == ["intrapreneur", "serve"]
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["resources"]["requests"]["cpu"]


def test_no_secret_value_leaves_a_secret(everything: list[dict[str, Any]]) -> None:
    for manifest in everything:
        text = yaml.safe_dump(manifest)
        if manifest["kind"] == "Secret":
            continue
        leaked = [value for value in SECRET_VALUES if value in text]
        assert not leaked, f"{manifest['kind']} {manifest['metadata']['name']} holds {leaked}"
    for config_map in (m for m in everything if m["kind"] == "ConfigMap"):
        assert not {"INTRAPRENEUR_SECRET_KEY", "INTRAPRENEUR_DATABASE_URL"} & set(
            config_map["data"]
        )


def test_the_app_accepts_the_settings_the_chart_gives_it(
    everything: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The ConfigMap and Secret, as the pods' environment, pass the app's production checks."""
    environment = dict(find(everything, "ConfigMap", FULLNAME)["data"])
    secret = find(everything, "Secret", FULLNAME)["data"]
    environment |= {name: base64.b64decode(value).decode() for name, value in secret.items()}

    loaded = settings.load(environment, instance_path=tmp_path)

    assert loaded.is_production
    assert loaded.secret_key == SECRET_KEY
    assert loaded.redis_url == f"redis://{FULLNAME}-redis:6379/0"
    assert loaded.directory is not None
    assert loaded.directory.urls == ("ldaps://ldap1.example.com", "ldaps://ldap2.example.com")
    assert loaded.directory.bind_password == LDAP_PASSWORD
    assert loaded.directory.role_map == {"hr": ("cn=hr,ou=groups,dc=example,dc=com",)}
    assert loaded.directory.attributes["department"] == "ou"
    assert loaded.directory.timeout == 7
    assert loaded.invitation_days == 21
    assert loaded.default_time_zone == "America/Chicago"
    assert loaded.sync_max_deactivate_share == 0.2
    assert loaded.break_glass_admin is True
    assert loaded.syslog is not None and loaded.syslog.address == ("syslog.logging.svc", 514)
    assert loaded.syslog.facility == SysLogHandler.LOG_LOCAL4
    assert loaded.syslog.app_log is True
    assert loaded.api_token_days == (30, 180)
    assert loaded.mail is not None and loaded.mail.sender.endswith("<intrapreneur@example.com>")
    assert loaded.mail.timeout == 20
    assert loaded.oidc is not None
    assert (loaded.oidc.issuer, loaded.oidc.client_id) == (
        "https://login.example.com/realms/corp",
        "intrapreneur",
    )
    assert loaded.oidc.client_secret == OIDC_CLIENT_SECRET
    assert (loaded.oidc.match_claim, loaded.oidc.groups_claim) == ("oid", "groups")
    assert (loaded.oidc.display_name, loaded.oidc.timeout) == ("Example Corp", 12)
    assert loaded.password_sign_in is False
    assert loaded.local_mfa_required is True
    assert (loaded.session_idle_minutes, loaded.session_max_hours) == (30, 9)
    assert loaded.secret_key_fallbacks == (EARLIER_SECRET_KEY,)
    # The bundled database's password survives the trip through the URL.
    url = make_url(loaded.database_url)
    assert (url.password, url.host) == (POSTGRES_PASSWORD, f"{FULLNAME}-postgresql")


def test_autoscaling_takes_over_the_replica_count(
    minimum: list[dict[str, Any]], everything: list[dict[str, Any]]
) -> None:
    assert "HorizontalPodAutoscaler" not in kinds(minimum)
    web = find(everything, "Deployment", f"{FULLNAME}-web")
    assert "replicas" not in web["spec"]
    target = find(everything, "HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", f"{FULLNAME}-web")
    budget = find(everything, "PodDisruptionBudget")["spec"]
    assert budget["selector"]["matchLabels"] == web["spec"]["selector"]["matchLabels"]


def test_every_pod_runs_as_non_root_on_a_read_only_root_filesystem(
    everything: list[dict[str, Any]],
) -> None:
    specs = dict(pod_specs(everything))
    assert len(specs) == 2 + len(SCHEDULE) + 3  # web, worker, CronJobs, migrations, db, redis
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
        if name.endswith(("-postgresql", "-redis")):
            continue
        # The app writes temporary files (gunicorn heartbeats, exports) to /tmp.
        assert {"name": "tmp", "emptyDir": {}} in spec["volumes"], name
        mounts = spec["containers"][0]["volumeMounts"]
        assert {"name": "tmp", "mountPath": "/tmp"} in mounts, name  # noqa: S108
        assert {"name": "ldap-ca", "mountPath": "/etc/ldap-ca", "readOnly": True} in mounts, name


def _checksums(values: dict[str, Any]) -> dict[str, dict[str, str]]:
    manifests = render(values)
    return {
        name: find(manifests, "Deployment", f"{FULLNAME}-{name}")["spec"]["template"]["metadata"][
            "annotations"
        ]
        for name in ("web", "worker")
    }


def test_checksum_annotations_roll_the_pods_when_settings_change() -> None:
    before = _checksums(MINIMUM)
    config_changed = _checksums(_merged(MINIMUM, {"config": {"invitationDays": 30}}))
    secret_changed = _checksums(_merged(MINIMUM, {"secrets": {"ldapBindPassword": "changed"}}))

    for name in ("web", "worker"):
        assert config_changed[name]["checksum/config"] != before[name]["checksum/config"]
        assert config_changed[name]["checksum/secret"] == before[name]["checksum/secret"]
        assert secret_changed[name]["checksum/secret"] != before[name]["checksum/secret"]
        assert secret_changed[name]["checksum/config"] == before[name]["checksum/config"]


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"web": {"replicaCount": "many"}}, "/web/replicaCount"),
        ({"replicas": 3}, "replicas"),
        ({"config": {"environment": "staging"}}, "/config/environment"),
        ({"scheduler": {"reminders": {"schedule": "every day"}}}, "/scheduler/reminders/schedule"),
        ({"directory": {"url": "ldap.example.com"}}, "/directory/url"),
        ({"config": {"extra": {"SECRET_KEY": "x"}}}, "SECRET_KEY"),
        ({"web": {"autoscaling": {"targetCPUUtilizationPercentage": 150}}}, "targetCPU"),
        ({"config": {"localMfa": "sometimes"}}, "/config/localMfa"),
        ({"config": {"sessionMaxHours": 0}}, "/config/sessionMaxHours"),
        ({"oidc": {"issuer": "login.example.com"}}, "/oidc/issuer"),
        ({"oidc": {"matchClaim": "nickname"}}, "/oidc/matchClaim"),
        ({"oidc": {"scopes": "email profile"}}, "/oidc/scopes"),
        ({"secrets": {"secretKeyFallbacks": "one,two"}}, "/secrets/secretKeyFallbacks"),
    ],
)
def test_the_schema_rejects_bad_values(bad: dict[str, Any], named: str) -> None:
    message = error_of(_merged(MINIMUM, bad))

    assert "schema" in message
    assert named in message


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "secrets.secretKey is required"),
        ({"secrets": {"secretKey": "short"}}, "secrets.secretKey is too short"),
        ({"secrets": {"surveyPseudonymKey": ""}}, "secrets.surveyPseudonymKey is required"),
        (
            {"secrets": {"surveyPseudonymKey": SECRET_KEY}},
            "secrets.surveyPseudonymKey must differ from secrets.secretKey",
        ),
        ({"secrets": {"databaseUrl": ""}}, "secrets.databaseUrl is required"),
        ({"secrets": {"redisUrl": ""}}, "the worker needs Redis"),
        ({"directory": {"bindDn": "cn=reader"}}, "secrets.ldapBindPassword is required"),
        ({"postgresql": {"enabled": True}, "secrets": {"databaseUrl": ""}}, "postgresql.auth"),
        ({"ingress": {"enabled": True}}, "ingress.host is required"),
        ({"secrets": {"smtpUrl": SMTP_URL}}, "config.mailFrom is required"),
        (
            {
                "oidc": {"issuer": "https://login.example.com"},
                "secrets": {"oidcClientSecret": OIDC_CLIENT_SECRET},
            },
            "oidc.clientId is required",
        ),
        (
            {"oidc": {"issuer": "https://login.example.com", "clientId": "intrapreneur"}},
            "secrets.oidcClientSecret is required",
        ),
        (
            {"config": {"passwordSignIn": False}},
            "config.passwordSignIn=false needs oidc.issuer or saml.idpMetadata",
        ),
        (
            {
                "oidc": {"issuer": "https://login.example.com", "clientId": "intrapreneur"},
                "secrets": {"oidcClientSecret": OIDC_CLIENT_SECRET},
                "saml": {"idpMetadata": SAML_METADATA, "spEntityId": SAML_ENTITY_ID},
            },
            "choose one single sign-on, not both",
        ),
        ({"saml": {"idpMetadata": SAML_METADATA}}, "saml.spEntityId is required"),
        ({"secrets": {"samlSpKey": "-----BEGIN PRIVATE KEY-----"}}, "go together"),
        ({"secrets": {"samlSpCert": "-----BEGIN CERTIFICATE-----"}}, "go together"),
        (
            {"secrets": {"secretKeyFallbacks": [SECRET_KEY, "short"]}},
            "secrets.secretKeyFallbacks holds a key shorter than 32 characters",
        ),
    ],
)
def test_missing_or_unsafe_secrets_stop_the_install_with_a_clear_message(
    values: dict[str, Any], message: str
) -> None:
    base = {} if not values else MINIMUM

    assert message in error_of(_merged(base, values))


def test_saml_settings_reach_the_app_and_its_key_only_the_secret(tmp_path: Path) -> None:
    key, certificate = key_and_certificate("intrapreneur.example.com")
    manifests = render(
        _merged(
            MINIMUM,
            {
                "config": {"passwordSignIn": False},
                "saml": {
                    "idpMetadata": SAML_METADATA,
                    "spEntityId": SAML_ENTITY_ID,
                    "match": "name_id",
                    "groupsAttribute": "groups",
                    "displayName": "Example Corp",
                    "clockSkew": 30,
                },
                "directory": {
                    "url": "ldaps://ldap.example.com",
                    "userBase": "ou=people,dc=example,dc=com",
                    "roleMap": {"hr": ["HR"]},
                },
                "secrets": {"samlSpKey": key, "samlSpCert": certificate},
            },
        )
    )
    config = find(manifests, "ConfigMap", FULLNAME)["data"]
    secret = find(manifests, "Secret", FULLNAME)["data"]
    assert "INTRAPRENEUR_SAML_SP_KEY" not in config
    assert base64.b64decode(secret["INTRAPRENEUR_SAML_SP_KEY"]).decode() == key

    environment = dict(config) | {
        name: base64.b64decode(value).decode() for name, value in secret.items()
    }
    loaded = settings.load(environment, instance_path=tmp_path)

    assert loaded.saml is not None and loaded.oidc is None
    assert (loaded.saml.sp_entity_id, loaded.saml.match) == (SAML_ENTITY_ID, "name_id")
    assert (loaded.saml.groups_attribute, loaded.saml.clock_skew) == ("groups", 30)
    assert loaded.password_sign_in is False


def test_an_existing_secret_replaces_the_charts_own() -> None:
    manifests = render({"existingSecret": "intrapreneur-prod"})

    assert "Secret" not in kinds(manifests)
    specs = dict(pod_specs(manifests))
    assert len(specs) == 3 + len(SCHEDULE)  # web, worker, migrations and the CronJobs
    for name, spec in specs.items():
        secrets_read = [
            ref["secretRef"]["name"]
            for ref in spec["containers"][0]["envFrom"]
            if "secretRef" in ref
        ]
        assert secrets_read == ["intrapreneur-prod"], name
    web = find(manifests, "Deployment", f"{FULLNAME}-web")
    assert set(web["spec"]["template"]["metadata"]["annotations"]) == {"checksum/config"}


def test_scheduled_work_runs_as_cron_jobs(everything: list[dict[str, Any]]) -> None:
    jobs = {
        m["metadata"]["name"].removeprefix(f"{FULLNAME}-"): m
        for m in everything
        if m["kind"] == "CronJob"
    }
    assert {name: job["spec"]["schedule"] for name, job in jobs.items()} == {
        "directory-sync": "0 2 * * *",
        "reminders": "30 6 * * 1-5",
        "review-digests": "0 7 * * *",
        "survey-reminders": "0 7 * * *",
        "learning-digests": "0 7 * * 1",
        "sponsor-digests": "0 7 1 * *",
        "survey-waves": "0 * * * *",
        "mail-delivery": "* * * * *",
        "requeue-stranded": "*/5 * * * *",
        "retention": "30 0 * * *",
    }
    # The chart runs exactly the app's schedule, each entry through `intrapreneur scheduled`.
    assert jobs.keys() == {entry.task for entry in SCHEDULE}
    for name, job in jobs.items():
        assert job["spec"]["timeZone"] == "Europe/London"
        assert job["spec"]["concurrencyPolicy"] == "Forbid"
        pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["containers"][0]["command"] == ["intrapreneur", "scheduled", name]


def test_a_scheduled_job_can_be_switched_off() -> None:
    manifests = render(_merged(MINIMUM, {"scheduler": {"surveyWaves": {"enabled": False}}}))

    names = {m["metadata"]["name"] for m in manifests if m["kind"] == "CronJob"}
    assert names == {f"{FULLNAME}-{e.task}" for e in SCHEDULE if e.task != "survey-waves"}


def test_the_ingress_serves_the_host_over_tls(everything: list[dict[str, Any]]) -> None:
    spec = find(everything, "Ingress")["spec"]

    assert spec["ingressClassName"] == "nginx"
    assert spec["tls"] == [{"hosts": ["intrapreneur.example.com"], "secretName": f"{FULLNAME}-tls"}]
    backend = spec["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": FULLNAME, "port": {"name": "http"}}


def test_the_network_policy_admits_only_the_ingress_controller(
    everything: list[dict[str, Any]],
) -> None:
    web = find(everything, "NetworkPolicy", f"{FULLNAME}-web")["spec"]
    assert web["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "web"
    assert web["ingress"][0]["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]
    database = find(everything, "NetworkPolicy", f"{FULLNAME}-postgresql")["spec"]
    assert database["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "intrapreneur",
        "app.kubernetes.io/instance": RELEASE,
    }


def _leaf_paths(values: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted paths of values.yaml; a non-empty map whose keys are free-form counts as one."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        free_form = path.endswith(("resources", "SecurityContext", "securityContext"))
        if isinstance(value, dict) and value and not free_form:
            yield from _leaf_paths(value, f"{path}.")
        else:
            yield path


def test_every_value_is_documented() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    documented = set(
        re.findall(r"^\| `([^`]+)` \|", (REPO / "docs" / "deploy.md").read_text(), re.M)
    )

    missing = [path for path in _leaf_paths(values) if path not in documented]

    assert not missing, f"values missing from the table in docs/deploy.md: {missing}"
