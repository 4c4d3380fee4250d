"""``newsflow reindex`` on the real Elasticsearch: an alias on an old-version index is moved to
``<alias>-v<MAPPING_VERSION>`` with every document, search answering throughout, and writes made
during the copy are not lost."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from services.indexer.mapping import MAPPING_VERSION, index_mappings
from services.indexer.reindex import current_indices, reindex
from services.search.query import SearchParams, build_search

DAWN_MOU = "000_c628a8884a65bf52.txt"


def old_index(es: Elasticsearch, alias: str, docs: dict[str, dict]) -> str:
    """``<alias>-v1`` as version 1 made it (no offsets), holding ``docs``, behind the alias."""
    mappings = index_mappings()
    for name in ("title", "body", "summary"):
        mappings["properties"][name].pop("index_options", None)
    mappings["_meta"] = {"mapping_version": 1}
    index = f"{alias}-v1"
    es.indices.create(index=index, mappings=mappings, aliases={alias: {"is_write_index": True}})
    for article_id, doc in docs.items():
        es.index(index=alias, id=article_id, document=doc)
    es.indices.refresh(index=index)
    return index


def test_reindex_cli_moves_the_alias_and_search_never_goes_empty(make_pipeline, indexed_seeds: dict[str, dict]
                                                                 ) -> None:
    pipeline = make_pipeline("reindex")
    alias = pipeline.settings.index_alias
    with pipeline.es() as es:
        old = old_index(es, alias, indexed_seeds)
        counts: list[int] = []
        stop = threading.Event()

        def watch() -> None:  # a reader hammering the alias during the whole reindex
            with pipeline.es() as reader:
                while not stop.is_set():
                    counts.append(reader.search(index=alias, **build_search(SearchParams(q="energy")))
                                  ["hits"]["total"]["value"])

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            run = pipeline.run_cli("reindex")
        finally:
            stop.set()
            watcher.join()
        out = run.stdout.decode()
        assert run.returncode == 0, run.stderr.decode() + out
        target = f"{alias}-v{MAPPING_VERSION}"
        assert f"copied 5 of 5 documents into {target}" in out
        assert f"{alias} now has 5 documents" in out
        assert current_indices(es, alias) == [target]
        assert es.indices.get_alias(name=alias)[target]["aliases"][alias]["is_write_index"] is True
        assert es.indices.exists(index=old)  # kept unless --delete-old
        mapping = es.indices.get_mapping(index=target)[target]["mappings"]
        assert mapping["_meta"]["mapping_version"] == MAPPING_VERSION
        assert mapping["properties"]["body"]["index_options"] == "offsets"
        assert counts and min(counts) >= 1, counts  # never an empty answer

        es.indices.refresh(index=target)
        ids = {h["_id"] for h in es.search(index=alias, size=100)["hits"]["hits"]}
        assert ids == set(indexed_seeds)
        energy = es.search(index=alias, **build_search(SearchParams(q="energy")))["hits"]["hits"]
        assert any(h["_source"]["metadata"]["file"] == DAWN_MOU for h in energy)

        # the same mapping again: a rebuild next to it, then the old one is dropped
        again = pipeline.run_cli("reindex", "--delete-old")
        assert again.returncode == 0, again.stderr.decode()
        assert current_indices(es, alias) == [f"{target}.1"]
        assert not es.indices.exists(index=target)
        assert es.count(index=alias)["count"] == 5

        # an index already holding the next name (kept from elsewhere) is never touched
        es.indices.create(index=target)
        es.index(index=target, id="kept", document={"id": "kept"}, refresh=True)
        third = pipeline.run_cli("reindex")
        assert third.returncode == 0, third.stderr.decode()
        assert current_indices(es, alias) == [f"{target}.2"]
        assert es.count(index=target)["count"] == 1
        assert es.count(index=alias)["count"] == 5


def test_writes_during_the_copy_are_caught_up(make_pipeline, indexed_seeds: dict[str, dict]) -> None:
    pipeline = make_pipeline("reindex-live")
    settings = pipeline.settings.model_copy(update={"bulk_max_docs": 1})
    alias = settings.index_alias
    some_id, some_doc = next(iter(indexed_seeds.items()))
    with pipeline.es() as es:
        old_index(es, alias, indexed_seeds)
        written = []

        def meanwhile(_n: int) -> None:
            """The indexer at work while the copy runs: a new article and a re-indexed one."""
            if written:
                return
            now = datetime.now(UTC).isoformat()
            es.index(index=alias, id="late-article", document={**some_doc, "id": "late-article", "indexed_at": now})
            es.index(index=alias, id=some_id, document={**some_doc, "title": "Updated title", "indexed_at": now})
            written.append(now)

        result = reindex(settings, es, on_copied=meanwhile, echo=lambda _m: None)
        assert written
        assert result.copied >= 5 and result.caught_up >= 1 and not result.failures
        es.indices.refresh(index=alias)
        assert es.count(index=alias)["count"] == 6
        assert es.get(index=alias, id="late-article")["found"]
        assert es.get(index=alias, id=some_id)["_source"]["title"] == "Updated title"
