"""Static checks of the Docker deployment: docker-compose.yml, deploy/docker/ and .dockerignore.

Nothing here starts a container: the checks read the files and compare them with the code they
deploy (shared/contracts/settings.py, pyproject.toml) and with the embedded stack's versions
(deploy/stack/pom.xml), so the two ways of running newsflow cannot drift apart unnoticed.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from services.stages import STAGE_NAMES
from shared.contracts.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKER_DIR = ROOT / "deploy" / "docker"
DOCKERFILE = DOCKER_DIR / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = DOCKER_DIR / "env.example"
STACK_POM = ROOT / "deploy" / "stack" / "pom.xml"
PYPROJECT = ROOT / "pyproject.toml"

ENV_PREFIX = Settings.model_config["env_prefix"]
SETTINGS_VARS = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}

WORKERS = STAGE_NAMES
NEWSFLOW_SERVICES = (*WORKERS, "api", "producer")
INFRA_SERVICES = ("kafka", "elasticsearch", "kibana", "setup", "kibana-setup")

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}; "$$" is a literal dollar.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def default_of(field: str) -> object:
    return Settings.model_fields[field].default


def resolve(value: object) -> str | None:
    """A compose value as the container sees it when no .env file and no shell variable is set."""
    if value is None:
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)

    def substitute(match: re.Match[str]) -> str:
        op = match["op"] or ""
        assert op.endswith("-"), f"{match[0]} has no default: compose needs a .env to start"
        return match["arg"]

    return INTERPOLATION.sub(substitute, text).replace("$$", "$")


def walk_strings(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from walk_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_strings(item)
    elif node is not None:
        yield str(node)


def env_of(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "KEY=value" form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {str(k): resolve(v) for k, v in env.items()}


def published_ports(service: dict) -> list[tuple[str | None, int, int]]:
    """(host ip, published port, container port) of each short-syntax `ports` entry."""
    found = []
    for entry in service.get("ports") or []:
        parts = resolve(entry).split(":")
        assert len(parts) in (2, 3), f"port {entry!r}: give host and container port explicitly"
        ip = parts[0] if len(parts) == 3 else None
        found.append((ip, int(parts[-2]), int(parts[-1].split("/")[0])))
    return found


def mount_targets(service: dict) -> dict[str, str]:
    """container path -> source (volume name or host path) of each short-syntax volume."""
    targets = {}
    for entry in service.get("volumes") or []:
        source, target, *_ = resolve(entry).split(":")
        targets[target] = source
    return targets


def listeners(value: str) -> dict[str, tuple[str, int]]:
    """'NAME://host:port,...' -> {NAME: (host, port)}."""
    result = {}
    for item in value.split(","):
        name, address = item.strip().split("://")
        host, port = address.rsplit(":", 1)
        result[name] = (host, int(port))
    return result


def pom_properties() -> dict[str, str]:
    root = ET.parse(STACK_POM).getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    props = root.find("m:properties", ns)
    assert props is not None, "deploy/stack/pom.xml has no <properties>"
    return {child.tag.split("}", 1)[1]: (child.text or "").strip() for child in props}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, rest = line.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The instructions of each stage; the last stage is the image that runs."""
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in dockerfile_instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, args))
    return stages


def dockerfile_base_images() -> list[str]:
    args: dict[str, str] = {}
    images = []
    for keyword, rest in dockerfile_instructions():
        if keyword == "ARG" and "=" in rest and not images:
            name, value = rest.split("=", 1)
            args[name.strip()] = value.strip()
        elif keyword == "FROM":
            image = rest.split()[0]
            images.append(re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), image))
    return images


def as_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def dockerignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    return [line.rstrip("/") for line in lines if line and not line.startswith("#")]


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Enough of the .dockerignore rules for these checks: a path is out when it, or a folder
    above it, matches a pattern (`**/` at any depth); a later `!pattern` brings it back."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    segments = ["/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(s, pattern[3:]) for s in segments)
        else:
            hit = any(fnmatch.fnmatchcase(p, pattern) for p in prefixes)
        if hit:
            ignored = not negate
    return ignored


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML==6.0.3 reads docker-compose.yml")
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


# ------------------------------------------------------------------------------ compose ---


def test_compose_declares_every_service(services: dict[str, dict]) -> None:
    missing = set(INFRA_SERVICES + NEWSFLOW_SERVICES) - set(services)
    assert not missing, f"docker-compose.yml lacks {sorted(missing)}"


def test_newsflow_services_are_scalable(services: dict[str, dict]) -> None:
    for name in NEWSFLOW_SERVICES:
        service = services[name]
        assert "container_name" not in service, f"{name}: container_name prevents --scale"
        assert "hostname" not in service, f"{name}: a fixed hostname is shared by every replica"
        if name != "api":
            assert not service.get("ports"), f"{name}: a published port prevents --scale"
    for name in WORKERS:
        assert not services[name].get("profiles"), f"{name} must start with a plain `docker compose up`"


def test_newsflow_services_build_the_one_image(services: dict[str, dict]) -> None:
    images = set()
    for name in NEWSFLOW_SERVICES:
        build = services[name].get("build")
        assert isinstance(build, dict), f"{name}: no build section"
        assert (ROOT / build["context"]).resolve() == ROOT
        assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
        images.add(services[name].get("image"))
    assert len(images) == 1, f"the newsflow services should share one image name, not {images}"


def test_stage_commands(services: dict[str, dict]) -> None:
    for stage in WORKERS:
        assert services[stage]["command"] == ["worker", stage]
    api = services["api"]["command"]
    assert api[0] == "api"
    assert api[api.index("--host") + 1] == "0.0.0.0", "the API must listen beyond the container's loopback"
    api_port = int(api[api.index("--port") + 1])
    assert [p[2] for p in published_ports(services["api"])] == [api_port]

    producer = services["producer"]
    assert producer["command"][0] == "publish"
    assert "seed" in producer.get("profiles", []), "the producer is a one-shot under a profile"
    targets = mount_targets(producer)
    for path in producer["command"][1:]:
        assert targets.get(path) == "./seeds", f"{path} is not the mounted ./seeds"
    assert (ROOT / "seeds").is_dir()


def test_newsflow_variables_are_settings_fields(compose: dict) -> None:
    assert {"NEWSFLOW_KAFKA_BOOTSTRAP", "NEWSFLOW_ELASTICSEARCH_URL"} <= SETTINGS_VARS
    used = set()
    for service in (compose["services"] | {k: v for k, v in compose.items() if k.startswith("x-")}).values():
        if isinstance(service, dict) and isinstance(service.get("environment", {}), dict | list):
            used |= {k for k in env_of(service) if k.startswith("NEWSFLOW_")}
    for text in walk_strings(compose):
        used |= {m["name"] for m in INTERPOLATION.finditer(text) if m["name"].startswith("NEWSFLOW_")}
    for keyword, args in dockerfile_instructions():
        if keyword in ("ENV", "ARG"):
            used |= set(re.findall(r"\b(NEWSFLOW_[A-Z0-9_]+)=", args))
    for line in ENV_EXAMPLE.read_text().splitlines():
        used |= set(re.findall(r"^#?\s*(NEWSFLOW_[A-Z0-9_]+)=", line))
    assert "NEWSFLOW_KAFKA_BOOTSTRAP" in used, "found no NEWSFLOW_ variable at all"
    unknown = used - SETTINGS_VARS
    assert not unknown, f"not fields of shared.contracts.settings.Settings (silently ignored): {sorted(unknown)}"


def test_interpolations_have_one_default_each(compose: dict) -> None:
    """Compose starts without a .env; a variable used in several places must default alike
    (the elastic password of Elasticsearch and of the setup services, for instance)."""
    defaults: dict[str, set[str]] = {}
    for text in walk_strings(compose):
        for match in INTERPOLATION.finditer(text):
            assert (match["op"] or "").endswith("-"), f"{match[0]} has no default"
            defaults.setdefault(match["name"], set()).add(match["arg"])
    conflicting = {name: values for name, values in defaults.items() if len(values) > 1}
    assert not conflicting, f"different defaults for one variable: {conflicting}"

    example = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line):
            name, value = line.split("=", 1)
            example[name] = value
    for name, value in example.items():
        assert name in defaults, f"env.example sets {name}, which docker-compose.yml never reads"
        assert defaults[name] == {value}, f"env.example and docker-compose.yml disagree on {name}"
    for secret in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD", "NEWSFLOW_ELASTICSEARCH_PASSWORD"):
        assert secret in example, f"env.example should document {secret}"


def test_stages_get_kafka_and_elasticsearch(services: dict[str, dict], compose: dict) -> None:
    kafka_env = env_of(services["kafka"])
    advertised = listeners(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    in_network = {f"{host}:{port}" for host, port in advertised.values() if host == "kafka"}
    assert in_network, "Kafka advertises no listener for the containers (kafka:<port>)"

    es_env = env_of(services["elasticsearch"])
    es_tls = es_env.get("xpack.security.http.ssl.enabled") == "true"
    setup_env = env_of(services["setup"])

    for name in NEWSFLOW_SERVICES:
        env = env_of(services[name])
        for bootstrap in env.get("NEWSFLOW_KAFKA_BOOTSTRAP", "").split(","):
            assert bootstrap in in_network, f"{name}: bootstrap {bootstrap!r} is not an advertised listener"
        url = urlsplit(env.get("NEWSFLOW_ELASTICSEARCH_URL") or "")
        assert url.hostname == "elasticsearch" and url.port == 9200, f"{name}: bad Elasticsearch URL {url}"
        assert url.scheme == ("https" if es_tls else "http"), f"{name}: scheme disagrees with ES's TLS"
        assert env.get("NEWSFLOW_ELASTICSEARCH_USERNAME"), f"{name}: no Elasticsearch user"
        assert env.get("NEWSFLOW_ELASTICSEARCH_PASSWORD"), f"{name}: no Elasticsearch password"
        # The user the stages log in with is the one `setup` creates.
        for key in ("NEWSFLOW_ELASTICSEARCH_USERNAME", "NEWSFLOW_ELASTICSEARCH_PASSWORD", "NEWSFLOW_INDEX_ALIAS"):
            assert env.get(key) == setup_env.get(key), f"{name}: {key} differs from the setup service's"
        if es_tls:
            ca = env.get("NEWSFLOW_ELASTICSEARCH_CA_CERTS")
            assert ca, f"{name}: HTTPS without NEWSFLOW_ELASTICSEARCH_CA_CERTS"
            mounts = mount_targets(services[name])
            holder = [t for t in mounts if ca.startswith(t.rstrip("/") + "/")]
            assert holder and mounts[holder[0]] == "certs", f"{name}: {ca} is not in the certs volume"
    assert "certs" in compose.get("volumes", {})


def test_dependencies_wait_for_health(services: dict[str, dict]) -> None:
    def conditions(name: str) -> dict[str, str]:
        deps = services[name].get("depends_on") or {}
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions, not a bare list"
        return {dep: spec.get("condition") for dep, spec in deps.items()}

    for name in NEWSFLOW_SERVICES:
        assert conditions(name).get("kafka") == "service_healthy", name
    for name in ("indexer", "api"):
        assert conditions(name).get("elasticsearch") == "service_healthy", name
        assert conditions(name).get("setup") == "service_completed_successfully", name
    assert conditions("kibana").get("elasticsearch") == "service_healthy"
    assert conditions("kibana-setup").get("kibana") == "service_healthy"

    for name in services:
        for dep, condition in conditions(name).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            if condition == "service_healthy":
                assert services[dep].get("healthcheck", {}).get("test"), f"{dep} has no healthcheck"
            if condition == "service_completed_successfully":
                assert str(services[dep].get("restart", "no")) == "no", f"{dep} is a one-shot"


def test_image_versions_match_the_embedded_stack(services: dict[str, dict]) -> None:
    props = pom_properties()
    assert services["kafka"]["image"] == f"apache/kafka:{props['kafka.version']}"
    assert services["elasticsearch"]["image"] == (
        f"docker.elastic.co/elasticsearch/elasticsearch:{props['elasticsearch.version']}"
    )
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{props['elasticsearch.version']}"
    for name, service in services.items():
        image = service.get("image", "")
        if image.startswith("docker.elastic.co/"):
            assert image.rsplit(":", 1)[1] == props["elasticsearch.version"], name


def test_ports_agree_with_settings_defaults(services: dict[str, dict]) -> None:
    kafka_port = default_of("kafka_port")
    assert kafka_port == int(str(default_of("kafka_bootstrap")).rsplit(":", 1)[1])
    es_port = default_of("elasticsearch_port")
    assert es_port == urlsplit(str(default_of("elasticsearch_url"))).port

    kafka = published_ports(services["kafka"])
    assert [p[1] for p in kafka] == [kafka_port], "the host reaches Kafka at the default bootstrap port"
    kafka_env = env_of(services["kafka"])
    bound = {port: name for name, (_, port) in listeners(kafka_env["KAFKA_LISTENERS"]).items()}
    host_listener = bound.get(kafka[0][2])
    assert host_listener, "the published Kafka port is not a listener"
    assert listeners(kafka_env["KAFKA_ADVERTISED_LISTENERS"])[host_listener] == ("localhost", kafka_port)
    controller = kafka_env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert controller not in listeners(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    assert bound.get(kafka[0][2]) != controller

    assert [(p[1], p[2]) for p in published_ports(services["elasticsearch"])] == [(es_port, 9200)]
    assert [(p[1], p[2]) for p in published_ports(services["api"])] == [(default_of("api_port"),) * 2]
    assert [(p[1], p[2]) for p in published_ports(services["kibana"])] == [(5601, 5601)]

    for name, service in services.items():
        for ip, published, _ in published_ports(service):
            assert ip == "127.0.0.1", f"{name} publishes port {published} beyond the host's loopback"


def test_kafka_is_a_single_kraft_node_without_auto_topics(services: dict[str, dict]) -> None:
    env = env_of(services["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"]), "CLUSTER_ID: a base64 UUID"
    node, voter = env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split("@")
    assert node == env["KAFKA_NODE_ID"]
    controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert voter == f"kafka:{listeners(env['KAFKA_LISTENERS'])[controller][1]}"
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(listeners(env["KAFKA_LISTENERS"])) == set(protocols), "every listener needs a protocol"
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"):
        assert env[key] == "1", f"{key} must be 1 on a single node"
    assert "/var/lib/kafka/data" in mount_targets(services["kafka"])


def test_elasticsearch_and_kibana_are_secured(services: dict[str, dict]) -> None:
    es = env_of(services["elasticsearch"])
    assert es["xpack.security.enabled"] == "true"
    assert es["discovery.type"] == "single-node"
    assert set(es["ES_JAVA_OPTS"].split()) == {"-Xms1g", "-Xmx1g"}
    assert es.get("ELASTIC_PASSWORD")
    assert "/usr/share/elasticsearch/data" in mount_targets(services["elasticsearch"])
    if es.get("xpack.security.http.ssl.enabled") == "true":
        certs = mount_targets(services["elasticsearch"])
        assert certs.get("/usr/share/elasticsearch/config/certs") == "certs"
        assert mount_targets(services["setup"]).get("/usr/share/elasticsearch/config/certs") == "certs"
        assert es["xpack.security.http.ssl.certificate_authorities"].startswith("certs/")

    kibana = env_of(services["kibana"])
    assert kibana["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert kibana["ELASTICSEARCH_PASSWORD"] == env_of(services["setup"])["KIBANA_PASSWORD"]
    assert urlsplit(kibana["ELASTICSEARCH_HOSTS"]).scheme == (
        "https" if es.get("xpack.security.http.ssl.enabled") == "true" else "http"
    )
    for key in ("ELASTIC_PASSWORD",):
        assert env_of(services["setup"])[key] == es[key] == env_of(services["kibana-setup"])[key]
    for key, value in kibana.items():
        if key.endswith("ENCRYPTIONKEY"):
            assert value and len(value) >= 32, f"Kibana's {key} needs 32 characters or more"


def test_bind_mounts_exist(services: dict[str, dict]) -> None:
    """Every file or folder mounted from the repository exists, except the Kibana objects,
    whose absence kibana-setup reports."""
    for name, service in services.items():
        for target, source in mount_targets(service).items():
            if not source.startswith("."):
                continue
            if source == "./deploy/kibana":
                assert env_of(service).get("SAVED_OBJECTS", "").startswith(target + "/")
                continue
            assert (ROOT / source).exists(), f"{name}: {source} (mounted at {target}) does not exist"


# ----------------------------------------------------------------------- setup scripts ---


@pytest.mark.parametrize("script", ["setup.sh", "kibana-setup.sh"])
def test_setup_scripts_parse(script: str) -> None:
    result = subprocess.run(["bash", "-n", str(DOCKER_DIR / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_kibana_setup_tolerates_a_missing_saved_objects_file(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "SAVED_OBJECTS": str(tmp_path / "saved_objects.ndjson"),
        "KIBANA_URL": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        ["bash", str(DOCKER_DIR / "kibana-setup.sh")], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert "nothing imported" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ELASTIC_PASSWORD": ""}, "ELASTIC_PASSWORD is empty"),
        ({"KIBANA_PASSWORD": 'say "hi"'}, "KIBANA_PASSWORD must not contain"),
        ({"NEWSFLOW_ELASTICSEARCH_PASSWORD": "abc"}, "at least 6 characters"),
    ],
)
def test_setup_refuses_bad_secrets_before_doing_anything(
    tmp_path: Path, overrides: dict[str, str], message: str
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "CERTS": str(tmp_path / "certs"),
        "ELASTIC_PASSWORD": "elastic-secret",
        "KIBANA_PASSWORD": "kibana-secret",
        "NEWSFLOW_ELASTICSEARCH_USERNAME": "newsflow",
        "NEWSFLOW_ELASTICSEARCH_PASSWORD": "newsflow-secret",
    } | overrides
    result = subprocess.run(["bash", str(DOCKER_DIR / "setup.sh")], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert message in result.stderr
    assert not (tmp_path / "certs").exists(), "setup wrote certificates despite bad secrets"


# --------------------------------------------------------------------------- Dockerfile ---


def test_dockerfile_base_image_is_the_projects_python() -> None:
    requires = tomllib.loads(PYPROJECT.read_text())["project"]["requires-python"]
    images = dockerfile_base_images()
    assert images, "no FROM"
    for image in images:
        assert image == "python:3.11-slim", image
    version = images[-1].split(":")[1].split("-")[0]
    low, high = (re.search(rf"{op}\s*([\d.]+)", requires) for op in (">=", "<"))
    assert low and as_tuple(low[1]) <= as_tuple(version), requires
    assert not high or as_tuple(version) < as_tuple(high[1]), requires


def test_dockerfile_entrypoint_is_the_console_script() -> None:
    scripts = tomllib.loads(PYPROJECT.read_text())["project"]["scripts"]
    entrypoints = [json.loads(args) for keyword, args in dockerfile_stages()[-1] if keyword == "ENTRYPOINT"]
    assert entrypoints, "the runtime stage has no ENTRYPOINT"
    assert entrypoints[-1] == ["newsflow"], "use the exec form with the console script"
    assert entrypoints[-1][0] in scripts


def test_dockerfile_runs_as_an_unprivileged_user() -> None:
    users = [args for keyword, args in dockerfile_stages()[-1] if keyword == "USER"]
    assert users, "the runtime stage runs as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), users[-1]


def test_dockerfile_installs_the_pinned_project() -> None:
    runs = " ".join(args for keyword, args in dockerfile_instructions() if keyword == "RUN")
    assert "['project']['dependencies']" in runs, "dependencies come from pyproject.toml"
    assert re.search(r"pip install (--\S+ )*\.(\s|$)", runs), "newsflow itself is installed with `pip install .`"
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    unpinned = [d for d in dependencies if "==" not in d]
    assert not unpinned, f"the image is reproducible only with exact pins: {unpinned}"
    assert any(d.lower().startswith("en-core-web-sm") for d in dependencies), "the spaCy model is a dependency"


def test_dockerfile_copies_only_what_exists_and_is_not_ignored() -> None:
    patterns = dockerignore_patterns()
    copied = []
    for keyword, args in dockerfile_instructions():
        if keyword in ("COPY", "ADD") and "--from=" not in args:
            sources = [a for a in shlex.split(args) if not a.startswith("--")][:-1]
            copied.extend(sources)
    assert {"pyproject.toml", "shared", "services"} <= set(copied)
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not is_ignored(source, patterns), f"COPY {source}: excluded by .dockerignore"


def test_dockerignore_keeps_local_state_out() -> None:
    patterns = dockerignore_patterns()
    for path in (
        ".venv",
        ".stack",
        ".tools",
        ".git",
        ".env",
        "bench/results",
        "eval/results",
        "services/__pycache__/cli.cpython-311.pyc",
        ".pytest_cache",
        ".ruff_cache",
    ):
        assert is_ignored(path, patterns), f"{path} would be sent to the Docker daemon"
    for path in ("pyproject.toml", "README.md", "shared/contracts/settings.py", "services/cli.py"):
        assert not is_ignored(path, patterns), f"{path} is needed by the image"
