"""``newsflow status``: what the pipeline holds, how far each stage has got, and which workers
run it, wherever they run: workers are the members of the stages' consumer groups as Kafka
knows them (client id, host, assigned partitions), not files on this machine.

A stage is *stalled* when a worker holds partitions with lag and none of their committed offsets
moved while status watched them (``window`` seconds): the known failure of a consumer stuck in
a rebalance, and also a frozen or overloaded process. The workers check the same of themselves
(metric ``newsflow_stage_stalled``, ``/healthz/live``) over ``NEWSFLOW_STALL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from services.sources.status import read_source_status
from services.stages import STAGES
from shared.contracts.settings import Settings
from shared.runtime.kafka import GroupMember, admin_client, group_members, topic_offsets
from shared.runtime.stage import StageSpec

CLIENT_ID = re.compile(r"^(?P<group>.+)@(?P<hostname>[^@#]+)#(?P<pid>\d+):(?P<metrics_port>\d+)$")


async def _index_count(settings: Settings) -> int | str:
    from elasticsearch import NotFoundError

    from shared.runtime.elastic import async_client

    es = async_client(settings)
    try:
        return (await es.count(index=settings.index_alias))["count"]
    except NotFoundError:
        return 0
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"
    finally:
        await es.close()


async def committed_offsets(settings: Settings, stages: Sequence[StageSpec]) -> dict[str, dict[int, int]]:
    """stage -> partition -> committed offset of its group on its input topic (none: not listed)."""
    found: dict[str, dict[int, int]] = {}
    async with admin_client(settings) as admin:
        for spec in stages:
            topic = spec.input_topic(settings)
            try:
                offsets = await admin.list_consumer_group_offsets(spec.group(settings))
            except Exception:  # the group never started
                offsets = {}
            found[spec.name] = {tp.partition: m.offset for tp, m in offsets.items() if tp.topic == topic
                                and m.offset >= 0}
    return found


@dataclass
class WorkerRow:
    """One member of a stage's group, for the report."""

    stage: str
    client_id: str
    host: str  # the address the broker sees
    hostname: str | None  # what the worker calls its machine (from its client id)
    pid: int | None
    metrics_port: int | None
    partitions: list[int]
    lag: int
    stalled: bool | None  # None: not checked (no window)


def worker_row(stage: str, topic: str, member: GroupMember, lags: dict[int, int], moved: dict[int, bool] | None,
               ) -> WorkerRow:
    """A member with its lag, and stalled when its partitions have lag and none moved (pure)."""
    parsed = CLIENT_ID.match(member.client_id)
    partitions = sorted(member.partitions.get(topic, []))
    lag = sum(lags.get(p, 0) for p in partitions)
    stalled = None if moved is None else lag > 0 and not any(moved.get(p, False) for p in partitions)
    return WorkerRow(
        stage, member.client_id, member.host,
        parsed["hostname"] if parsed else None,
        int(parsed["pid"]) if parsed else None,
        int(parsed["metrics_port"]) if parsed else None,
        partitions, lag, stalled,
    )


async def gather_status(settings: Settings, window: float = 0.0) -> dict[str, Any]:
    """Topic end offsets, per-stage lag and state, the workers (group members) with their
    partitions, index doc count, dead-letter count and the sources of this machine. With
    ``window`` > 0 the committed offsets are read twice, ``window`` seconds apart, to find stalls."""
    before = await committed_offsets(settings, STAGES) if window > 0 else None
    if window > 0:
        await asyncio.sleep(window)
    offsets, count, committed = await asyncio.gather(
        topic_offsets(settings, settings.pipeline_topics), _index_count(settings), committed_offsets(settings, STAGES))
    groups = await group_members(settings, [spec.group(settings) for spec in STAGES])
    stages, workers = [], []
    for spec in STAGES:
        topic, group = spec.input_topic(settings), spec.group(settings)
        ends = offsets.get(topic, {})
        done = committed[spec.name]
        lags = {p: max(end - done.get(p, 0), 0) for p, end in ends.items()}
        moved = None
        if before is not None:
            moved = {p: done.get(p, -1) != before[spec.name].get(p, -1) for p in ends}
        state, members = groups.get(group, ("Unknown", []))
        rows = [worker_row(spec.name, topic, m, lags, moved) for m in members]
        workers.extend(rows)
        lag = sum(lags.values())
        stalled = [r.client_id for r in rows if r.stalled]
        stages.append({
            "stage": spec.name, "group": group, "topic": topic, "committed": sum(done.values()),
            "end": sum(ends.values()), "lag": lag, "group_state": state, "workers": len(rows),
            "stalled": bool(stalled) if moved is not None else None, "stalled_workers": stalled,
            "state": stage_state(lag, len(rows), bool(stalled), moved is not None),
        })
    return {
        "topics": {t: {"partitions": len(p), "end_offset": sum(p.values())} for t, p in offsets.items()},
        "stages": stages,
        "workers": [asdict(w) for w in workers],
        "index": {"alias": settings.index_alias, "documents": count},
        "dead_letters": sum(offsets.get(settings.topic_dlq, {}).values()),
        "stall_window": window,
        "sources": read_source_status(settings),
    }


def stage_state(lag: int, workers: int, stalled: bool, checked: bool) -> str:
    """One word for a stage: stalled, no workers, behind, idle, caught up."""
    if stalled:
        return "stalled"
    if not workers:
        return "no workers" if lag else "idle"
    if lag:
        return "working" if checked else "behind"
    return "caught up"
