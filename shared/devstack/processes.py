"""Processes of the embedded stack: pid files, ports in use, stopping what was started."""

from __future__ import annotations

import contextlib
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import psutil


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
