"""What every part of the embedded stack shares: its errors, versions (from deploy/stack/pom.xml) and file helpers."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from shared.contracts.settings import PROJECT_ROOT

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
