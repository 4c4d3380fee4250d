"""The machine's Java and Maven, found and checked, and the Maven runs that fetch the stack's artifacts."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

from shared.contracts.settings import Settings
from shared.devstack.base import MIN_JAVA, MIN_MAVEN, POM, StackError


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
