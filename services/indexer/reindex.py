"""``newsflow reindex``: move the alias to a fresh index built with the current mapping.

The embedded Elasticsearch has no _reindex API, so documents are copied with the client's scan
and bulk helpers. Search never sees an empty index: the alias keeps pointing at the old index
while the copy runs, then one ``update_aliases`` call removes it from the old index and adds it
to the new one, atomically. Workers keep indexing through the alias meanwhile; documents they
write between the start of the copy and the swap land in the old index, so a catch-up pass
copies those afterwards, never overwriting a newer write to the new index (optimistic
concurrency on ``_seq_no``/``_primary_term``). The old index is kept unless ``--delete-old``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import typer
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan, streaming_bulk

from services.indexer.mapping import MAPPING_VERSION, index_template
from services.indexer.store import template_name, version_key, versioned_index
from services.indexer.stories import with_story
from shared.contracts.settings import Settings, get_settings
from shared.runtime.elastic import sync_client

CATCH_UP_MARGIN = timedelta(minutes=2)  # clock skew between workers and this command


class ReindexError(RuntimeError):
    """The reindex cannot start or did not copy every document; the alias was not moved."""


@dataclass
class ReindexResult:
    alias: str
    old_indices: list[str]
    new_index: str
    source_count: int
    copied: int
    caught_up: int = 0
    final_count: int = 0
    deleted_old: bool = False
    failures: dict[str, str] = field(default_factory=dict)


def current_indices(es: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(es.indices.get_alias(name=alias).body, key=version_key)
    except NotFoundError:
        return []


def target_name(es: Elasticsearch, alias: str, current: list[str]) -> str:
    """``<alias>-v<MAPPING_VERSION>``, or when that name is taken (live, or an old index kept
    after an earlier reindex) ``<alias>-v<MAPPING_VERSION>.<n>`` with the first free n. Never an
    existing index: nothing is overwritten or deleted to make room."""
    base = versioned_index(alias, MAPPING_VERSION)
    name, n = base, 0
    while name in current or es.indices.exists(index=name):
        n += 1
        name = f"{base}.{n}"
    return name


def _copy(es: Elasticsearch, sources: list[str], target: str, settings: Settings,
          query: dict[str, Any], on_copied: Callable[[int], None]) -> tuple[int, dict[str, str]]:
    actions = (
        {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": with_story(hit["_id"], hit["_source"])}
        for hit in scan(es, index=sources, query={"query": query}, size=settings.bulk_max_docs, scroll="5m")
    )
    return _bulk(es, actions, settings, on_copied)


def _bulk(es: Elasticsearch, actions: Iterable[dict[str, Any]], settings: Settings,
          on_copied: Callable[[int], None]) -> tuple[int, dict[str, str]]:
    copied, failures = 0, {}
    for ok, item in streaming_bulk(es, actions, chunk_size=settings.bulk_max_docs,
                                   max_chunk_bytes=settings.bulk_max_bytes, raise_on_error=False, max_retries=5):
        result = next(iter(item.values()))
        if ok:
            copied += 1
            on_copied(1)
        elif result.get("status") != 409:  # 409: a newer write won, which is what we want
            failures[str(result.get("_id"))] = str(result.get("error"))
    return copied, failures


def _catch_up_actions(es: Elasticsearch, sources: list[str], target: str, since: datetime) -> Iterator[dict[str, Any]]:
    """Documents the old index got since the copy began, unless the new index has a newer one."""
    query = {"range": {"indexed_at": {"gte": since.isoformat()}}}
    for hit in scan(es, index=sources, query={"query": query}, size=200):
        doc = hit["_source"]
        try:
            current = es.get(index=target, id=hit["_id"], source_includes=["indexed_at"]).body
        except NotFoundError:
            yield {"_op_type": "create", "_index": target, "_id": hit["_id"], "_source": doc}
            continue
        if (current["_source"].get("indexed_at") or "") < (doc.get("indexed_at") or ""):
            yield {"_op_type": "index", "_index": target, "_id": hit["_id"], "_source": doc,
                   "if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]}


def reindex(settings: Settings, es: Elasticsearch, *, delete_old: bool = False,
            echo: Callable[[str], None] = print, on_copied: Callable[[int], None] = lambda _n: None,
            on_total: Callable[[int], None] = lambda _n: None) -> ReindexResult:
    alias = settings.index_alias
    es.indices.put_index_template(name=template_name(alias),
                                  **index_template(alias, settings.index_shards, settings.index_replicas,
                                                                  settings.index_refresh_interval))
    old = current_indices(es, alias)
    if not old:
        raise ReindexError(f"alias {alias!r} does not exist: nothing to reindex (the indexer creates it)")
    target = target_name(es, alias, old)
    es.indices.refresh(index=old)
    source_count = es.count(index=old)["count"]
    echo(f"alias {alias} -> {', '.join(old)} ({source_count} documents); building {target} "
         f"(mapping version {MAPPING_VERSION})")
    on_total(source_count)
    # Refreshing while bulk loading only costs time; the template's interval comes back below.
    es.indices.create(index=target, settings={"refresh_interval": "-1"})
    started = datetime.now(UTC)
    try:
        copied, failures = _copy(es, old, target, settings, {"match_all": {}}, on_copied)
        es.indices.put_settings(index=target, settings={"refresh_interval": "1s"})
        es.indices.refresh(index=target)
        copied_count = es.count(index=target)["count"]
        if failures or copied_count < source_count:
            raise ReindexError(f"{target} has {copied_count} of {source_count} documents; "
                               f"{len(failures)} rejected, e.g. {next(iter(failures.items()), None)}")
    except BaseException:
        es.indices.delete(index=target, ignore_unavailable=True)
        raise
    actions: list[dict[str, Any]] = [{"remove": {"index": index, "alias": alias}} for index in old]
    actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    echo(f"alias {alias} now points to {target}")
    es.indices.refresh(index=old)  # so the catch-up sees writes of the last refresh interval too
    caught_up, late_failures = _bulk(es, _catch_up_actions(es, old, target, started - CATCH_UP_MARGIN),
                                     settings, lambda _n: None)
    es.indices.refresh(index=target)
    result = ReindexResult(alias, old, target, source_count, copied, caught_up,
                           es.count(index=target)["count"], failures=late_failures)
    if delete_old:
        es.indices.delete(index=old)
        result.deleted_old = True
    return result


def command(
    delete_old: bool = typer.Option(False, "--delete-old", help="delete the old index once the alias moved"),
) -> None:
    """Copy the index behind the alias into a new index with the current mapping
    (<alias>-v<N>), then swap the alias atomically; search keeps answering throughout."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    settings = get_settings()
    console, err = Console(), Console(stderr=True)
    es = sync_client(settings)
    try:
        with Progress(TextColumn("copying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("copy", total=None)
            result = reindex(
                settings, es, delete_old=delete_old,
                echo=lambda m: console.print(m, highlight=False),
                on_copied=lambda n: progress.advance(task, n),
                on_total=lambda n: progress.update(task, total=n),
            )
    except ReindexError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    except Exception as exc:
        err.print(f"[bold red]error:[/] reindex failed at {settings.elasticsearch_url}: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        es.close()
    console.print(
        f"copied {result.copied} of {result.source_count} documents into {result.new_index}, "
        f"{result.caught_up} written meanwhile caught up; {result.alias} now has {result.final_count} documents",
        highlight=False,
    )
    old = ", ".join(result.old_indices)
    console.print(f"deleted {old}" if result.deleted_old else f"kept {old} (drop it with --delete-old next time, "
                  f"or DELETE it once you are satisfied)", highlight=False)
    if result.failures:
        err.print(f"[yellow]{len(result.failures)} late document(s) not copied:[/] {result.failures}")
        raise typer.Exit(1)
