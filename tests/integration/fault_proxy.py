"""A small HTTP proxy in front of Elasticsearch that injects faults into bulk writes, so tests
see what a real overloaded or failing cluster answers: a whole-request 503 or 429, or per-item
429s (the request is split: some documents really go to Elasticsearch, the others are refused
in the answer, in order, as Elasticsearch does when its write queue is full).

Everything but ``_bulk`` is forwarded untouched, except in "hang" mode, where every request
waits until the window ends (a frozen cluster), and "down", where every connection is dropped.
Faults are windows of time: ``fail(mode, seconds)``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PRODUCT = [("X-Elastic-Product", "Elasticsearch")]  # the client checks it on every answer
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Fault:
    # on bulk writes: "503", "429" (whole request), "items-429" (per document) or "updates-429"
    # (every partial update, i.e. story links, refused; documents written); on every request:
    # "hang" (no answer until the window ends: a frozen cluster), "down" (the connection drops)
    mode: str
    until: float
    forward_every: int = 4  # in items-429 mode, every n-th document still goes through (0: none)


@dataclass
class ProxyLog:
    bulk_requests: int = 0
    faulted_requests: int = 0
    refused_items: int = 0
    forwarded_items: int = 0
    # (action, document id) of each document write (index or create) that reached Elasticsearch,
    # in or out of a fault: a document written twice shows here, whatever else (story links) the
    # same requests carried
    writes: Counter[tuple[str, str]] = field(default_factory=Counter)
    started_at: float = field(default_factory=time.monotonic)


class FaultProxy:
    def __init__(self, target: str) -> None:
        self.target = target
        parts = urlsplit(target)
        self.host, self.port_target = parts.hostname or "localhost", parts.port or 9200
        self.fault: Fault | None = None
        self.log = ProxyLog()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:  # quiet
                return

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy.active()
                if fault is not None and fault.mode == "down":  # the connection drops, no answer
                    with proxy.lock:
                        proxy.log.faulted_requests += 1
                    self.close_connection = True
                    return
                status, headers, payload = proxy.answer(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_HEADERS:
                        self.send_header(name, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, mode: str, seconds: float, forward_every: int = 4) -> None:
        self.fault = Fault(mode, time.monotonic() + seconds, forward_every)

    def active(self) -> Fault | None:
        fault = self.fault
        return fault if fault is not None and time.monotonic() < fault.until else None

    # ---------------------------------------------------------------------------------------

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port_target, timeout=60)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}
            conn.request(method, path, body=body or None, headers=sent)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list, bytes]:
        is_bulk = urlsplit(path).path.rstrip("/").endswith("_bulk")
        fault = self.active()
        if fault is not None and fault.mode == "hang":  # a frozen cluster: no answer until the window ends
            time.sleep(max(fault.until - time.monotonic(), 0))
            return self.forward(method, path, headers, body)
        fault = fault if is_bulk else None
        if is_bulk:
            with self.lock:
                self.log.bulk_requests += 1
        if fault is None:
            if is_bulk:
                self.count_writes(bulk_pairs(body))
            return self.forward(method, path, headers, body)
        with self.lock:
            self.log.faulted_requests += 1
        if fault.mode in ("503", "429"):
            status = int(fault.mode)
            kind = "unavailable_shards_exception" if status == 503 else "es_rejected_execution_exception"
            error = {"error": {"type": kind, "reason": f"injected {status}"}, "status": status}
            return status, [*PRODUCT, ("content-type", "application/json")], json.dumps(error).encode()
        return self.split_bulk(method, path, headers, body, fault)

    def count_writes(self, pairs: list[tuple[bytes, bytes]]) -> None:
        with self.lock:
            for action, _source in pairs:
                op, meta = next(iter(json.loads(action).items()))
                if op in ("index", "create"):
                    self.log.writes[(op, str(meta.get("_id")))] += 1

    def split_bulk(self, method: str, path: str, headers: dict[str, str], body: bytes,
                   fault: Fault) -> tuple[int, list, bytes]:
        """Forward every ``forward_every``-th document (in "updates-429": every write but the
        partial updates), refuse the others with an item-level 429 (answered under the
        document's own action: index, create or update)."""
        pairs = bulk_pairs(body)
        every = fault.forward_every
        if fault.mode == "updates-429":
            forwarded = [(n, pair) for n, pair in enumerate(pairs) if "update" not in json.loads(pair[0])]
        else:
            forwarded = [(n, pair) for n, pair in enumerate(pairs) if every and n % every == 0]
        results: dict[int, dict] = {}
        if forwarded:
            sub = b"".join(a + b"\n" + s + b"\n" for _, (a, s) in forwarded)
            status, _headers, payload = self.forward(method, path, headers, sub)
            items = json.loads(payload).get("items", []) if status == 200 else []
            for (n, _pair), item in zip(forwarded, items, strict=False):
                results[n] = item
        out = []
        for n, (action, _source) in enumerate(pairs):
            if n in results:
                out.append(results[n])
                continue
            op, meta = next(iter(json.loads(action).items()))
            out.append({op: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 429,
                             "error": {"type": "es_rejected_execution_exception",
                                       "reason": "injected: rejected execution (queue full)"}}})
        with self.lock:
            self.log.forwarded_items += len(results)
            self.log.refused_items += len(pairs) - len(results)
        self.count_writes([pair for _n, pair in forwarded])
        answer = {"took": 1, "errors": True, "items": out}
        return 200, [*PRODUCT, ("content-type", "application/json")], json.dumps(answer).encode()


def bulk_pairs(body: bytes) -> list[tuple[bytes, bytes]]:
    """A bulk body's (action line, source line) pairs (every action here carries a source)."""
    lines = [line for line in body.split(b"\n") if line.strip()]
    return [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
