"""The embedded stack: a real Apache Kafka (KRaft) and a real Elasticsearch 8 on this machine.

Both come from Maven Central through the machine's Maven (``deploy/stack/pom.xml``) and run on
the machine's Java. Everything lives under ``settings.stack_home`` (git-ignored): the Maven
cache, the unpacked artifacts, data, logs and pid files. ``newsflow stack up|down|status``
drives this module; the test suite uses it to start the stack once per session.
"""


from __future__ import annotations

from collections.abc import Callable

from shared.contracts.settings import Settings
from shared.devstack.base import ComponentStatus
from shared.devstack.components import Component, Elasticsearch, Kafka
from shared.devstack.tools import find_java_home, find_maven

# --------------------------------------------------------------------------------------------


class Stack:
    """``up`` is safe to run twice; ``down`` leaves no process behind."""

    def __init__(self, settings: Settings, echo: Callable[[str], None] = print, secure: bool = False) -> None:
        self.settings = settings
        self.echo = echo
        self.kafka = Kafka(settings, secure=secure)
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
