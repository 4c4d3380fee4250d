"""The embedded stack: a real Apache Kafka (KRaft) and a real Elasticsearch 8 on this machine.

Both come from Maven Central through the machine's Maven (``deploy/stack/pom.xml``) and run on
the machine's Java. Everything lives under ``settings.stack_home`` (git-ignored): the Maven
cache, the unpacked artifacts, data, logs and pid files. ``newsflow stack up|down|status``
drives this module; the test suite uses it to start the stack once per session.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import string
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from shared.settings import PROJECT_ROOT, Settings

DEPLOY_DIR = PROJECT_ROOT / "deploy" / "stack"
POM = DEPLOY_DIR / "pom.xml"
MIN_JAVA = 17
MIN_MAVEN = (3, 6)
ES_USER = "newsflow"  # Elasticsearch refuses to run as root; when we are root it runs as this user.


class StackError(RuntimeError):
    """A clear, user-facing reason why the stack could not be started or stopped."""


@dataclass
class ComponentStatus:
    name: str
    running: bool
    pid: int | None
    port: int
    healthy: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def _pom_property(name: str) -> str:
    match = re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", POM.read_text())
    if not match:
        raise StackError(f"{POM} does not define <{name}>")
    return match.group(1).strip()


KAFKA_VERSION = _pom_property("kafka.version")
ELASTICSEARCH_VERSION = _pom_property("elasticsearch.version")


def _tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _render(template: Path, target: Path, **values: object) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(string.Template(template.read_text()).substitute({k: str(v) for k, v in values.items()}))


# --------------------------------------------------------------------------------------------
# Tools: Java and Maven
# --------------------------------------------------------------------------------------------


def find_java_home() -> Path:
    """JAVA_HOME when set, else the JDK of the ``java`` on PATH; Java 17 or newer."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    java_on_path = shutil.which("java")
    if java_on_path:
        candidates.append(Path(os.path.realpath(java_on_path)).parent.parent)
    if not candidates:
        raise StackError("Java was not found: install a JDK 17 or newer (e.g. openjdk-17-jdk) or set JAVA_HOME")
    for home in candidates:
        java = home / "bin" / "java"
        if not java.exists():
            continue
        version = java_major_version(java)
        if version >= MIN_JAVA:
            return home
        raise StackError(f"Java {version} at {home} is too old: newsflow's stack needs Java {MIN_JAVA} or newer")
    raise StackError(f"no java executable under {', '.join(map(str, candidates))}")


def java_major_version(java: Path) -> int:
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=60).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise StackError(f"could not read the version of {java}: {out.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def find_maven() -> Path:
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError("Maven was not found: install Maven 3.6 or newer (e.g. apt-get install maven)")
    out = subprocess.run([mvn, "-v"], capture_output=True, text=True, timeout=120).stdout
    match = re.search(r"Apache Maven (\d+)\.(\d+)", out)
    if not match or (int(match.group(1)), int(match.group(2))) < MIN_MAVEN:
        raise StackError(f"Maven at {mvn} is too old or unreadable ({out.strip()[:80]!r}); need 3.6 or newer")
    return Path(mvn)


# --------------------------------------------------------------------------------------------
# Processes, ports and pid files
# --------------------------------------------------------------------------------------------


def port_holder(port: int) -> str | None:
    """Who listens on a TCP port, as 'pid N (name)', or None when the port is free."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        in_use = sock.connect_ex(("127.0.0.1", port)) == 0
    if not in_use:
        return None
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                try:
                    proc = psutil.Process(conn.pid)
                    return f"pid {conn.pid} ({proc.name()}: {' '.join(proc.cmdline())[:120]})"
                except psutil.Error:
                    return f"pid {conn.pid}"
    except psutil.AccessDenied:
        pass
    return "another process"


class PidFile:
    """A pid file that knows whether its process is still the one it recorded."""

    def __init__(self, path: Path, marker: str) -> None:
        self.path = path
        self.marker = marker  # a string the process's command line must contain

    def read(self) -> int | None:
        try:
            return int(self.path.read_text().strip())
        except (OSError, ValueError):
            return None

    def write(self, pid: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n")

    def live_pid(self) -> int | None:
        """The recorded pid if that process is alive and is ours; clears a stale file."""
        pid = self.read()
        if pid is None:
            return None
        try:
            proc = psutil.Process(pid)
            if proc.status() != psutil.STATUS_ZOMBIE and self.marker in " ".join(proc.cmdline()):
                return pid
        except psutil.Error:
            pass
        self.clear()
        return None

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def stop_process(pid: int, timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; returns when the process is gone."""
    try:
        proc = psutil.Process(pid)
        children = proc.children(recursive=True)
        proc.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs([proc], timeout=timeout)
        for leftover in alive + [c for c in children if c.is_running()]:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        psutil.wait_procs(alive + children, timeout=10)
    except psutil.NoSuchProcess:
        return


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


# --------------------------------------------------------------------------------------------
# The components
# --------------------------------------------------------------------------------------------


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

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, settings.stack_home / "kafka")
        self.port = settings.kafka_port
        self.libs = self.home / f"libs-{KAFKA_VERSION}"
        self.config = self.home / "config" / "server.properties"
        self.data = self.home / "data"

    def prepare(self, maven: Path, java_home: Path) -> None:
        if not (self.libs / ".complete").exists():
            run_maven(self.settings, maven, ["dependency:copy-dependencies", f"-DoutputDirectory={self.libs}"])
            (self.libs / ".complete").touch()
        _render(
            DEPLOY_DIR / "kafka" / "server.properties", self.config,
            port=self.port, controller_port=self.settings.kafka_controller_port, data_dir=self.data,
            message_max_bytes=max(16 * 1024 * 1024, 3 * self.settings.max_message_bytes),
        )
        shutil.copy(DEPLOY_DIR / "kafka" / "log4j.properties", self.config.parent / "log4j.properties")
        if not (self.data / "meta.properties").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            cluster_id = base64_uuid()
            result = subprocess.run(
                [*self._java(java_home, "256m"), "kafka.tools.StorageTool", "format", "-t", cluster_id,
                 "-c", str(self.config), "--ignore-formatted"],
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
        return kafka_health(f"localhost:{self.port}")


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


def ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True,
        )
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise StackError(f"could not create the system user {name!r} for Elasticsearch: {result.stderr}") from None


def base64_uuid() -> str:
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def run_maven(settings: Settings, maven: Path, goals: list[str]) -> None:
    repo = settings.maven_repo or settings.stack_home / "maven"
    project = settings.stack_home / "maven-project"  # Maven writes its markers beside the pom
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy(POM, project / "pom.xml")
    cmd = [str(maven), "-B", "-q", "-f", str(project / "pom.xml"), f"-Dmaven.repo.local={repo}", *goals]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise StackError(
            "Maven could not resolve the stack's artifacts (is Maven Central reachable?):\n"
            + "\n".join(output[-25:])
        )


# --------------------------------------------------------------------------------------------
# Health checks
# --------------------------------------------------------------------------------------------


def kafka_health(bootstrap: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether a broker answers a metadata request, and how many topics it has."""
    import logging

    from aiokafka.admin import AIOKafkaAdminClient

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a refused probe is an answer here

    async def probe() -> tuple[bool, str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
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
# --------------------------------------------------------------------------------------------


class Stack:
    """``up`` is safe to run twice; ``down`` leaves no process behind."""

    def __init__(self, settings: Settings, echo: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.echo = echo
        self.kafka = Kafka(settings)
        self.elasticsearch = Elasticsearch(settings)
        self.components: list[Component] = [self.kafka, self.elasticsearch]

    def up(self) -> list[str]:
        """Start what is not running and wait until both answer; returns the names started."""
        to_start = [c for c in self.components if c.pidfile.live_pid() is None]
        for component in self.components:
            if component not in to_start:
                self.echo(f"{component.name}: already running (pid {component.pidfile.read()}, port {component.port})")
        if not to_start:
            for component in self.components:
                component.wait_healthy(self.settings.stack_start_timeout)
            return []
        for component in to_start:  # fail fast, before any download
            component.check_port_free(component.port)
        java_home = find_java_home()
        maven = find_maven()
        for component in to_start:
            self.echo(f"{component.name}: preparing (first run downloads from Maven Central)")
            component.prepare(maven, java_home)
        try:
            for component in to_start:
                component.launch(java_home)
                self.echo(f"{component.name}: starting on port {component.port}")
            for component in self.components:
                component.wait_healthy(self.settings.stack_start_timeout)
                status = component.status()
                self.echo(f"{component.name}: up (pid {status.pid}, port {status.port}) {status.detail}")
        except BaseException:
            for component in to_start:  # leave nothing half-started behind
                component.stop()
            raise
        return [c.name for c in to_start]

    def down(self) -> list[str]:
        stopped = []
        for component in reversed(self.components):
            if component.stop():
                stopped.append(component.name)
                self.echo(f"{component.name}: stopped")
            else:
                self.echo(f"{component.name}: was not running")
        return stopped

    def status(self) -> list[ComponentStatus]:
        return [c.status() for c in self.components]

    def is_up(self) -> bool:
        return all(s.running and s.healthy for s in self.status())
