"""Kafka (KRaft) and Elasticsearch as components: prepared from Maven artifacts, launched, checked, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psutil

from shared.contracts.settings import Settings
from shared.devstack.base import (
    DEPLOY_DIR,
    ELASTICSEARCH_VERSION,
    ES_USER,
    KAFKA_VERSION,
    ComponentStatus,
    StackError,
    _render,
    _tail,
)
from shared.devstack.processes import PidFile, port_holder, stop_process, wait_until
from shared.devstack.secure import ensure_material, load_material
from shared.devstack.tools import ensure_system_user, run_maven
from shared.runtime.deadletter import message_limit
from shared.runtime.kafka import security_options


class Component:
    name: str
    marker: str

    def __init__(self, settings: Settings, home: Path) -> None:
        self.settings = settings
        self.home = home
        self.pidfile = PidFile(settings.stack_home / "run" / f"{self.name}.pid", self.marker)
        self.log = settings.stack_home / "logs" / f"{self.name}.out"

    port: int

    def healthy(self) -> tuple[bool, str]:
        raise NotImplementedError

    def prepare(self, maven: Path, java_home: Path) -> None:
        raise NotImplementedError

    def launch(self, java_home: Path) -> None:
        raise NotImplementedError

    def status(self) -> ComponentStatus:
        pid = self.pidfile.live_pid()
        if pid is None:  # started without a pid file we know of (e.g. interrupted start)
            owned = self.owned_processes()
            pid = owned[0].pid if owned else None
        ok, detail = self.healthy() if pid else (False, "not running")
        return ComponentStatus(self.name, pid is not None, pid, self.port, ok, detail)

    def check_port_free(self, *ports: int) -> None:
        for port in ports:
            holder = port_holder(port)
            if holder:
                raise StackError(
                    f"{self.name}: port {port} is already in use by {holder}. Stop it, or choose "
                    f"another port (NEWSFLOW_{self.name.upper()}_PORT)."
                )

    def wait_healthy(self, timeout: float) -> None:
        def ready() -> bool:
            self.adopt_pid()
            launcher = self.launcher
            if launcher is not None and launcher.poll() not in (None, 0):
                raise StackError(f"{self.name} exited while starting. {self.log_tails()}")
            if launcher is None and self.pidfile.live_pid() is None:
                raise StackError(f"{self.name} is not running. {self.log_tails()}")
            return self.healthy()[0]

        if not wait_until(ready, timeout, interval=1.0):
            self.stop()
            raise StackError(f"{self.name} did not answer within {timeout:.0f}s. {self.log_tails()}")
        self.launcher = None

    launcher: subprocess.Popen[bytes] | None = None

    def adopt_pid(self) -> None:
        """Record the server's pid once it is known (the launcher's own pid by default)."""
        if self.launcher is not None and self.pidfile.read() is None:
            self.pidfile.write(self.launcher.pid)

    def log_tails(self) -> str:
        return "".join(f"Last lines of {log}:\n{_tail(log)}\n" for log in self.logs())

    def logs(self) -> list[Path]:
        return [self.log]

    def stop(self) -> bool:
        """Stop the recorded process, a launcher still starting, and anything else running from
        this stack home (found by its command line), so nothing is left behind."""
        stopped = False
        if self.launcher is not None and self.launcher.poll() is None:
            stop_process(self.launcher.pid)  # first, so it starts nothing more
            stopped = True
        pids = {self.pidfile.live_pid(), *(p.pid for p in self.owned_processes())}
        pids.discard(None)
        for pid in pids:
            stop_process(pid)  # type: ignore[arg-type]
        self.pidfile.clear()
        return stopped or bool(pids)

    @property
    def command_marker(self) -> str:
        """A string only the command lines of this stack home's process have."""
        raise NotImplementedError

    def owned_processes(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            with contextlib.suppress(psutil.Error):
                if self.command_marker in " ".join(proc.info["cmdline"] or []):
                    found.append(proc)
        return found

    def _spawn(self, cmd: list[str], env: dict[str, str], cwd: Path, user: str | None = None) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        if user:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *cmd]
        with open(self.log, "ab") as out:
            self.launcher = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )


class Kafka(Component):
    name = "kafka"
    marker = "kafka.Kafka"

    def __init__(self, settings: Settings, secure: bool = False) -> None:
        super().__init__(settings, settings.stack_home / "kafka")
        self.port = settings.kafka_port
        self.libs = self.home / f"libs-{KAFKA_VERSION}"
        self.config = self.home / "config" / "server.properties"
        # a stack home started with --secure stays secure (its data holds the SCRAM user)
        self.material = load_material(settings)
        self.secure = secure or self.material is not None
        self.data = self.home / ("data-secure" if self.secure else "data")

    def client_settings(self) -> Settings:
        """The settings a client of this Kafka needs (its security when secure)."""
        return self.material.client_settings(self.settings) if self.material else self.settings

    def prepare(self, maven: Path, java_home: Path) -> None:
        if not (self.libs / ".complete").exists():
            run_maven(self.settings, maven, ["dependency:copy-dependencies", f"-DoutputDirectory={self.libs}"])
            (self.libs / ".complete").touch()
        values: dict[str, object] = {}
        scram: list[str] = []
        if self.secure:
            self.material = ensure_material(self.settings, java_home)
            m = self.material
            values = {"username": m.username, "password": m.password, "keystore": m.keystore,
                      "truststore": m.truststore, "store_password": m.store_password}
            scram = ["--add-scram", f"SCRAM-SHA-512=[name={m.username},password={m.password}]"]
        _render(
            DEPLOY_DIR / "kafka" / ("server-secure.properties" if self.secure else "server.properties"), self.config,
            port=self.port, controller_port=self.settings.kafka_controller_port, data_dir=self.data,
            message_max_bytes=message_limit(self.settings), **values,
        )
        shutil.copy(DEPLOY_DIR / "kafka" / "log4j.properties", self.config.parent / "log4j.properties")
        if not (self.data / "meta.properties").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            cluster_id = base64_uuid()
            result = subprocess.run(
                [*self._java(java_home, "256m"), "kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}",
                 "-c", str(self.config), "--ignore-formatted", *scram],
                capture_output=True, text=True, timeout=300,
            )
            if result.returncode != 0:
                raise StackError(f"kafka: formatting the KRaft storage failed:\n{result.stdout}\n{result.stderr}")

    @property
    def command_marker(self) -> str:
        return str(self.config)

    def _java(self, java_home: Path, heap: str) -> list[str]:
        return [
            str(java_home / "bin" / "java"), f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseG1GC",
            "-Djava.awt.headless=true", f"-Dlog4j.configuration=file:{self.config.parent / 'log4j.properties'}",
            "-cp", f"{self.libs}/*",
        ]

    def launch(self, java_home: Path) -> None:
        self.check_port_free(self.port, self.settings.kafka_controller_port)
        cmd = [*self._java(java_home, self.settings.kafka_heap), "kafka.Kafka", str(self.config)]
        self.pidfile.clear()
        self._spawn(cmd, dict(os.environ), self.home)

    def healthy(self) -> tuple[bool, str]:
        ok, detail = kafka_health(f"localhost:{self.port}", security=security_options(self.client_settings()))
        return ok, f"{detail}, SASL_SSL/SCRAM-SHA-512" if ok and self.secure else detail


class Elasticsearch(Component):
    name = "elasticsearch"
    marker = "org.elasticsearch"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, elasticsearch_home(settings))
        self.port = settings.elasticsearch_port
        self.dist = self.home / "dist" / f"elasticsearch-{ELASTICSEARCH_VERSION}"
        self.config = self.home / "config"
        self.user = ES_USER if os.geteuid() == 0 else None

    def prepare(self, maven: Path, java_home: Path) -> None:
        if not (self.dist / ".complete").exists():
            shutil.rmtree(self.dist, ignore_errors=True)
            run_maven(self.settings, maven, ["dependency:unpack", f"-DoutputDirectory={self.dist.parent}"])
            self._build_plugin(java_home)
            (self.dist / ".complete").touch()
        self.config.mkdir(parents=True, exist_ok=True)
        for name in ("jvm.options", "log4j2.properties"):
            shutil.copy(self.dist / "config" / name, self.config / name)
        (self.config / "jvm.options.d").mkdir(exist_ok=True)
        heap = self.settings.elasticsearch_heap
        (self.config / "jvm.options.d" / "newsflow.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
        _render(
            DEPLOY_DIR / "elasticsearch" / "elasticsearch.yml", self.config / "elasticsearch.yml",
            port=self.port, transport_port=self.settings.elasticsearch_transport_port,
            data_dir=self.home / "data", logs_dir=self.home / "logs",
        )
        for sub in ("data", "logs", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        if self.user:
            ensure_system_user(self.user)
            subprocess.run(["chown", "-R", f"{self.user}:{self.user}", str(self.home)], check=True)

    def _build_plugin(self, java_home: Path) -> None:
        """Compile the small plugin that adds the english analyzer and ``GET /`` (see its javadoc)."""
        source_root = DEPLOY_DIR / "elasticsearch-plugin"
        target = self.dist / "plugins" / "newsflow-embedded"
        classes = self.home / "plugin-build"
        shutil.rmtree(classes, ignore_errors=True)
        classes.mkdir(parents=True)
        sources = [str(p) for p in (source_root / "src").rglob("*.java")]
        for cmd in (
            [str(java_home / "bin" / "javac"), "--release", "17", "-d", str(classes), "-cp",
             f"{self.dist / 'lib'}/*", *sources],
            [str(java_home / "bin" / "jar"), "cf", str(target / "newsflow-embedded.jar"), "-C", str(classes), "."],
        ):
            target.mkdir(parents=True, exist_ok=True)
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                raise StackError(f"elasticsearch: building the embedded plugin failed:\n{result.stderr[-2000:]}")
        descriptor = (source_root / "plugin-descriptor.properties.in").read_text()
        (target / "plugin-descriptor.properties").write_text(descriptor.replace("@ES_VERSION@", ELASTICSEARCH_VERSION))

    def launch(self, java_home: Path) -> None:
        self.check_port_free(self.port, self.settings.elasticsearch_transport_port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_", "ES_"))}
        env.update(
            ES_JAVA_HOME=str(java_home), ES_PATH_CONF=str(self.config), ES_TMPDIR=str(self.home / "tmp"),
            HOME=str(self.home),
        )
        self.pidfile.clear()
        with contextlib.suppress(FileNotFoundError):
            self.server_pidfile.unlink()
        cmd = [str(self.dist / "bin" / "elasticsearch"), "-d", "-p", str(self.server_pidfile)]
        self._spawn(cmd, env, self.home, self.user)

    @property
    def command_marker(self) -> str:
        return f"-Des.path.home={self.dist}"

    @property
    def server_pidfile(self) -> Path:
        return self.home / "elasticsearch.pid"

    def adopt_pid(self) -> None:
        """``-d`` daemonizes the server and writes its pid; the launcher exits once it is up."""
        if self.pidfile.read() is None and self.server_pidfile.exists():
            with contextlib.suppress(ValueError, OSError):
                self.pidfile.write(int(self.server_pidfile.read_text().strip()))

    def logs(self) -> list[Path]:
        return [self.log, self.home / "logs" / "newsflow-embedded.log"]

    def healthy(self) -> tuple[bool, str]:
        return elasticsearch_health(f"http://localhost:{self.port}")


def elasticsearch_home(settings: Settings) -> Path:
    """Where Elasticsearch's files live. As root, ES runs as an unprivileged user, which must be
    able to reach the folder; when the stack home is not reachable for it, a folder under
    /var/tmp keyed by the stack home is used instead."""
    preferred = settings.stack_home / "elasticsearch"
    if os.geteuid() != 0 or _world_traversable(settings.stack_home):
        return preferred
    digest = hashlib.sha256(str(settings.stack_home.resolve()).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"newsflow-es-{digest}"


def _world_traversable(path: Path) -> bool:
    for parent in [path.resolve(), *path.resolve().parents]:
        if parent.exists() and not (parent.stat().st_mode & 0o001):
            return False
    return True


def base64_uuid() -> str:
    """A KRaft cluster id (URL-safe base64 of a random UUID; it may begin with "-", so it is
    passed as ``--cluster-id=<id>``, never as a separate argument)."""
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


# --------------------------------------------------------------------------------------------
# Health checks
# --------------------------------------------------------------------------------------------


def kafka_health(bootstrap: str, timeout: float = 5.0, security: dict[str, object] | None = None) -> tuple[bool, str]:
    """Whether a broker answers a metadata request, and how many topics it has."""
    import logging

    from aiokafka.admin import AIOKafkaAdminClient

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a refused probe is an answer here

    async def probe() -> tuple[bool, str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000),
                                    **(security or {}))
        try:
            await asyncio.wait_for(admin.start(), timeout)
            topics = await asyncio.wait_for(admin.list_topics(), timeout)
            return True, f"broker answers, {len([t for t in topics if not t.startswith('__')])} topics"
        except Exception as exc:
            return False, f"no answer ({type(exc).__name__})"
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    return asyncio.run(probe())


def elasticsearch_health(url: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether the cluster is yellow or green, with its version."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=timeout) as resp:
            health = json.load(resp)
        with urllib.request.urlopen(f"{url}/", timeout=timeout) as resp:
            version = json.load(resp)["version"]["number"]
    except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
        return False, f"no answer ({type(exc).__name__})"
    status = health.get("status", "red")
    return status in ("yellow", "green"), f"Elasticsearch {version}, cluster {status}"


# --------------------------------------------------------------------------------------------
# The stack
