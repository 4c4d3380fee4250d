"""The Helm chart deploy/helm/newsflow: it renders with the default values and with each example
values file, every manifest validates against the Kubernetes and KEDA schemas (kubeconform,
strict), and what it deploys agrees with the code it runs (settings names, consumer groups,
topics, the partition ceiling, the mounted CA files, the credentials KEDA reads).

helm, kubeconform and the schemas are built by scripts/ensure-k8s-tools.sh (``make test`` runs
it); without them these tests fail rather than skip, so a broken chart cannot pass unnoticed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
import yaml

from services.stages import STAGE_NAMES, stage
from shared.contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "newsflow"
EXAMPLES = sorted((CHART / "examples").glob("*.yaml"))
TOOLS = Path(os.environ.get("NEWSFLOW_TOOLS_DIR", ROOT / ".tools"))
HELM = TOOLS / "bin" / "helm"
KUBECONFORM = TOOLS / "bin" / "kubeconform"
SCHEMAS = TOOLS / "schemas"
ENSURE_SCRIPT = ROOT / "scripts" / "ensure-k8s-tools.sh"
DOCS = ROOT / "docs" / "kubernetes.md"
# The Kubernetes release whose schemas the script makes: one home for the version.
KUBE_VERSION = re.search(r"^KUBERNETES_VERSION=v(\S+)", ENSURE_SCRIPT.read_text(), re.M)[1]

ENV_PREFIX = Settings.model_config["env_prefix"]
SETTINGS_VARS = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}
# Variables the chart sets for parts of the app still being built (none now: the metrics and
# health server reads NEWSFLOW_METRICS_PORT). Kept apart so that nothing else can slip in unread.
PENDING_VARS: set[str] = set()

# KEDA's Kafka scaler names the SASL mechanisms its own way.
KEDA_SASL = {"PLAIN": "plaintext", "SCRAM-SHA-256": "scram_sha256", "SCRAM-SHA-512": "scram_sha512"}

# Everything the chart can switch on, for the scenario that renders all of it.
EVERYTHING = [
    "--set", "feeds.enabled=true", "--set", "feeds.urls={https://example.org/feed.xml,https://example.net/atom}",
    "--set", "watch.enabled=true", "--set", "watch.volume.persistentVolumeClaim.claimName=inbox",
    "--set", "sources.persistence.enabled=true",
    "--set-string", "secretSettings.ingest_token=s3cret",
]


@dataclass
class Rendered:
    docs: list[dict]
    path: Path
    by_kind: dict[str, dict[str, dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for doc in self.docs:
            self.by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc

    def one(self, kind: str, suffix: str) -> dict:
        found = [d for name, d in self.by_kind.get(kind, {}).items() if name.endswith(suffix)]
        assert len(found) == 1, f"expected one {kind} named *{suffix}, found {[d['metadata']['name'] for d in found]}"
        return found[0]

    def all(self, kind: str) -> list[dict]:
        return list(self.by_kind.get(kind, {}).values())


def require_tools() -> None:
    missing = [str(p) for p in (HELM, KUBECONFORM, SCHEMAS / "kubernetes", SCHEMAS / "crds") if not p.exists()]
    if missing:
        pytest.fail(
            f"chart test tools missing ({', '.join(missing)}): run `bash scripts/ensure-k8s-tools.sh` "
            "(make test runs it)", pytrace=False,
        )


def helm_template(*args: str) -> subprocess.CompletedProcess[str]:
    require_tools()
    return subprocess.run(
        [str(HELM), "template", "nf", str(CHART), "--namespace", "news", "--kube-version", KUBE_VERSION, *args],
        capture_output=True, text=True, timeout=120,
    )


def values_args(files: list[Path]) -> list[str]:
    return [arg for f in files for arg in ("-f", str(f))]


SCENARIOS: dict[str, list[str]] = {
    "default": [],
    **{f"example-{p.stem}": values_args([p]) for p in EXAMPLES},
    "examples-together": [*values_args(EXAMPLES), *EVERYTHING],
    "without-keda": ["--set", "keda.enabled=false", *EVERYTHING],
    "inline-credentials": [
        "--set", "kafka.securityProtocol=SASL_SSL", "--set", "kafka.sasl.mechanism=SCRAM-SHA-256",
        "--set", "kafka.sasl.username=nf", "--set", "kafka.sasl.password=pw",
        "--set-file", f"kafka.tls.ca={CHART / 'values.yaml'}",  # any text stands in for a PEM here
        "--set", "elasticsearch.username=nf", "--set", "elasticsearch.password=pw",
        "--set-file", f"elasticsearch.ca={CHART / 'Chart.yaml'}",
    ],
}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    result = helm_template(*SCENARIOS[request.param])
    assert result.returncode == 0, f"helm template failed for {request.param}:\n{result.stderr}"
    path = tmp_path_factory.mktemp("helm") / f"{request.param}.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    return Rendered(docs, path)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_lint(scenario: str) -> None:
    require_tools()
    result = subprocess.run(
        [str(HELM), "lint", "--strict", str(CHART), "--kube-version", KUBE_VERSION, *SCENARIOS[scenario]],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_values_exist() -> None:
    assert {p.stem for p in EXAMPLES} >= {"strimzi", "eck"}


def kubeconform(path: Path, count: int) -> None:
    """kubeconform, strict: unknown fields fail; a kind without a schema fails too."""
    require_tools()
    locations = [f"{SCHEMAS / sub}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json" for sub in ("kubernetes", "crds")]
    result = subprocess.run(
        [str(KUBECONFORM), "-strict", "-summary", "-output", "json",
         *[arg for loc in locations for arg in ("-schema-location", loc)], str(path)],
        capture_output=True, text=True, timeout=120,
    )
    report = json.loads(result.stdout)
    problems = [f"{r['kind']} {r['name']}: {r['status']} {r.get('msg', '')}" for r in report.get("resources", [])]
    assert result.returncode == 0, "\n".join(problems) or result.stderr
    summary = report["summary"]
    assert summary["valid"] == count, summary
    assert summary["invalid"] == summary["errors"] == summary["skipped"] == 0, summary


def test_every_manifest_validates(rendered: Rendered) -> None:
    kubeconform(rendered.path, len(rendered.docs))


def settings_of(rendered: Rendered, container: dict, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The Settings a container would build: its ConfigMap and Secret, and literal env values
    (values from other Secrets stand in as placeholders)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(rendered.by_kind["ConfigMap"][source["configMapRef"]["name"]]["data"])
        elif "secretRef" in source:
            secret = rendered.by_kind["Secret"].get(source["secretRef"]["name"])
            assert secret is not None, f"envFrom names a Secret the chart does not make: {source}"
            env.update(secret.get("stringData") or {})
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", f"<from {item.get('valueFrom')}>")
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


def containers(rendered: Rendered) -> list[tuple[dict, dict]]:
    return [(d, c) for d in rendered.all("Deployment") for c in d["spec"]["template"]["spec"]["containers"]]


def test_every_variable_is_a_setting(rendered: Rendered) -> None:
    """Every NEWSFLOW_ variable the chart sets is one that shared/contracts/settings.py reads."""
    names: set[str] = set()
    for cm in rendered.all("ConfigMap"):
        names |= {k for k in (cm.get("data") or {}) if k.startswith(ENV_PREFIX)}
    for secret in rendered.all("Secret"):
        names |= {k for k in (secret.get("stringData") or {}) if k.startswith(ENV_PREFIX)}
    for _, container in containers(rendered):
        names |= {e["name"] for e in container.get("env", []) if e["name"].startswith(ENV_PREFIX)}
    assert names, "the chart sets no settings"
    assert not names - SETTINGS_VARS - PENDING_VARS, f"not settings: {sorted(names - SETTINGS_VARS - PENDING_VARS)}"


def probe_port(container: dict, probe: dict) -> int:
    port = (probe.get("httpGet") or probe.get("tcpSocket"))["port"]
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container["ports"] if p["name"] == port)


def test_stages(rendered: Rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Deployment per stage runs `newsflow worker <stage>` with meaningful probes on the
    metrics port and bounded resources; its PDB covers its pods; its ScaledObject watches the
    consumer group and topic the worker really uses, with at most one replica per partition."""
    keda = "ScaledObject" in rendered.by_kind
    for name in STAGE_NAMES:
        spec = stage(name)
        deployment = rendered.one("Deployment", f"-{name}")
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        assert container["args"] == ["worker", name]
        settings = settings_of(rendered, container, monkeypatch)
        metrics_port = int(rendered.one("ConfigMap", "newsflow")["data"]["NEWSFLOW_METRICS_PORT"])
        assert container["readinessProbe"]["httpGet"]["path"] == "/healthz/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert probe_port(container, container[probe]) == metrics_port, probe
        annotations = pod["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(metrics_port)
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][bound]), bound
        # No surge pod: one beyond the partition count would never be ready and stall a rollout.
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == 0

        pdb = rendered.one("PodDisruptionBudget", f"-{name}")
        selector = pdb["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod["metadata"]["labels"].items()
        assert selector == deployment["spec"]["selector"]["matchLabels"]

        if not keda:
            assert 1 <= deployment["spec"]["replicas"] <= settings.partitions
            continue
        assert "replicas" not in deployment["spec"], "KEDA owns the replica count"
        scaled = rendered.one("ScaledObject", f"-{name}")["spec"]
        assert scaled["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
        assert 1 <= scaled["maxReplicaCount"] <= settings.partitions
        assert scaled["minReplicaCount"] <= scaled["maxReplicaCount"]
        (trigger,) = scaled["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "kafka"
        assert meta["consumerGroup"] == spec.group(settings)
        assert meta["topic"] == spec.input_topic(settings)
        assert meta["bootstrapServers"] == settings.kafka_bootstrap
        assert int(meta["lagThreshold"]) >= 1
        assert meta["offsetResetPolicy"] == "earliest"
        assert meta["tls"] == ("enable" if settings.kafka_security_protocol in ("SSL", "SASL_SSL") else "disable")
        if settings.kafka_security_protocol.startswith("SASL_"):
            assert meta["sasl"] == KEDA_SASL[settings.kafka_sasl_mechanism]


def test_ca_files_are_mounted(rendered: Rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CA path in the settings is a file that the container's volumes provide."""
    for deployment, container in containers(rendered):
        settings = settings_of(rendered, container, monkeypatch)
        volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
        for path in filter(None, (settings.kafka_ssl_cafile, settings.elasticsearch_ca_certs)):
            path = PurePosixPath(path)
            mount = next((m for m in container["volumeMounts"] if PurePosixPath(m["mountPath"]) == path.parent), None)
            assert mount is not None, f"{deployment['metadata']['name']}: nothing mounted at {path.parent}"
            sources = volumes[mount["name"]]["projected"]["sources"]
            provided = {item["path"]: src["secret"] for src in sources for item in src["secret"]["items"]}
            assert path.name in provided, f"{path} is not in the mounted volume"
            secret = provided[path.name]
            key = next(i["key"] for i in secret["items"] if i["path"] == path.name)
            made = rendered.by_kind.get("Secret", {}).get(secret["name"])
            if made is not None:  # a Secret of the chart: it must hold that key
                assert key in made["stringData"]


def test_credentials(rendered: Rendered, monkeypatch: pytest.MonkeyPatch) -> None:
    """SASL and Elasticsearch credentials reach every container, and KEDA's TriggerAuthentication
    reads the same user, password and CA."""
    for deployment, container in containers(rendered):
        settings = settings_of(rendered, container, monkeypatch)
        name = deployment["metadata"]["name"]
        if settings.kafka_security_protocol.startswith("SASL_"):
            assert settings.kafka_sasl_mechanism and settings.kafka_sasl_username, name
            assert settings.kafka_sasl_password, name
        if settings.elasticsearch_username:
            assert settings.elasticsearch_password, name
    auths = rendered.all("TriggerAuthentication")
    for scaled in rendered.all("ScaledObject"):
        (trigger,) = scaled["spec"]["triggers"]
        ref = trigger.get("authenticationRef")
        if "sasl" not in trigger["metadata"] and ref is None:
            continue
        auth = rendered.by_kind["TriggerAuthentication"][ref["name"]]
        params = {t["parameter"]: t for t in auth["spec"]["secretTargetRef"]}
        if "sasl" in trigger["metadata"]:
            assert {"username", "password"} <= set(params)
        for target in params.values():
            made = rendered.by_kind.get("Secret", {}).get(target["name"])
            if made is not None:
                assert target["key"] in made["stringData"], target
    assert len(auths) <= 1


def test_api_and_sources(rendered: Rendered) -> None:
    api = rendered.one("Deployment", "-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["api"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    service = rendered.one("Service", "-api")
    assert service["spec"]["selector"].items() <= api["spec"]["template"]["metadata"]["labels"].items()
    config = rendered.one("ConfigMap", "newsflow")["data"]
    assert config["NEWSFLOW_API_HOST"] == "0.0.0.0"
    assert probe_port(container, container["readinessProbe"]) == int(config["NEWSFLOW_API_PORT"])
    for kind in ("feeds", "watch"):
        found = [d for d in rendered.all("Deployment") if d["metadata"]["name"].endswith(f"-{kind}")]
        for deployment in found:
            spec = deployment["spec"]
            assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
            (container,) = spec["template"]["spec"]["containers"]
            assert container["args"][0] == kind
            state = container["args"][container["args"].index("--state") + 1]
            (mount,) = [m for m in container["volumeMounts"] if m["name"] == "state"]
            assert state.startswith(mount["mountPath"] + "/")


def test_defaults_run_no_source() -> None:
    docs = render_docs()
    names = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    assert names == {f"nf-newsflow-{c}" for c in (*STAGE_NAMES, "api")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "workers.extractor.maxReplicas=7"], "exceeds kafka.partitions"),
        (["--set", "keda.enabled=false", "--set", "workers.cleaner.replicas=9"], "exceeds kafka.partitions"),
        (["--set", "settings.group_prefix=other"], "kafka.*"),
        (["--set", "kafka.securityProtocol=SASL_SSL"], "kafka.sasl.username is required"),
        (["--set", "kafka.securityProtocol=TLS"], "/kafka/securityProtocol"),  # values.schema.json
        (["--set", "workers.extractor.lagThresold=10"], "'lagThresold' not allowed"),
        (["--set", "elasticsearch.url=elasticsearch:9200"], "/elasticsearch/url"),
        (["--set", "workers.cleaner.input=nope"], "not a key of kafka.topics"),
        (["--set", "feeds.enabled=true"], "feeds.urls"),
        (["--set", "watch.enabled=true"], "watch.volume"),
    ],
)
def test_rejected_values(args: list[str], message: str) -> None:
    """Values that would deploy something broken fail at render time, saying why."""
    result = helm_template(*args)
    assert result.returncode != 0
    assert message in result.stderr


def test_partitions_bound_the_replicas() -> None:
    docs = render_docs("--set", "kafka.partitions=3")
    ceilings = [d["spec"]["maxReplicaCount"] for d in docs if d["kind"] == "ScaledObject"]
    assert ceilings == [3] * len(STAGE_NAMES)


def doc_yaml_blocks() -> list[object]:
    """The parsed ```yaml blocks of docs/kubernetes.md (a block may hold several documents)."""
    blocks = re.findall(r"^```yaml\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.M | re.S)
    return [doc for block in blocks for doc in yaml.safe_load_all(block) if doc]


def test_docs_show_the_examples() -> None:
    """docs/kubernetes.md shows each example values file as it is."""
    shown = doc_yaml_blocks()
    for example in EXAMPLES:
        assert yaml.safe_load(example.read_text(encoding="utf-8")) in shown, f"{example.name} is not in {DOCS.name}"


def test_docs_values_render(tmp_path: Path) -> None:
    """Every values snippet of docs/kubernetes.md passes the values schema and renders."""
    snippets = [doc for doc in doc_yaml_blocks() if isinstance(doc, dict) and "apiVersion" not in doc]
    assert len(snippets) >= 3
    for i, snippet in enumerate(snippets):
        path = tmp_path / f"snippet-{i}.yaml"
        path.write_text(yaml.safe_dump(snippet), encoding="utf-8")
        result = helm_template(*values_args(EXAMPLES), "-f", str(path))
        assert result.returncode == 0, f"{snippet}: {result.stderr}"


def test_docs_manifests_validate(tmp_path: Path) -> None:
    """The Kubernetes objects of docs/kubernetes.md whose schemas the tools have (the operators'
    own kinds are checked by their operators) validate like the chart's."""
    require_tools()
    known = [
        doc for doc in doc_yaml_blocks()
        if isinstance(doc, dict) and "apiVersion" in doc
        and not doc["apiVersion"].endswith((".strimzi.io/v1beta2", ".elastic.co/v1", "monitoring.coreos.com/v1"))
    ]
    assert known, "no Kubernetes object of a built-in kind in the docs"
    path = tmp_path / "docs.yaml"
    path.write_text(yaml.safe_dump_all(known), encoding="utf-8")
    kubeconform(path, len(known))


def render_docs(*args: str) -> list[dict]:
    result = helm_template(*args)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def test_per_stage_overrides() -> None:
    """A stage's own values win over workerDefaults, false and 0 included."""
    docs = render_docs(
        "--set", "workers.cleaner.minReplicas=0", "--set", "workers.cleaner.pdb.enabled=false",
        "--set", "workers.indexer.enabled=false", "--set", "workers.extractor.resources.limits.memory=3Gi",
    )
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("PodDisruptionBudget", "nf-newsflow-cleaner") not in names
    assert ("PodDisruptionBudget", "nf-newsflow-extractor") in names
    assert not any(name == "nf-newsflow-indexer" for _, name in names)
    mins = {d["metadata"]["name"]: d["spec"]["minReplicaCount"] for d in docs if d["kind"] == "ScaledObject"}
    assert mins == {f"nf-newsflow-{name}": 0 if name == "cleaner" else 1 for name in STAGE_NAMES if name != "indexer"}
    extractor = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "nf-newsflow-extractor")
    limits = extractor["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    assert limits == {"cpu": "1", "memory": "3Gi"}  # the default cpu limit stays
