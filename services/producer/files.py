"""Files and folders -> RawArticles: .txt and .html as one article each, .json as an article or
a list of them, .jsonl as one article per line. Pure reading; publishing is in publish.py."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from shared.contracts.schemas import ContentType, RawArticle

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")


@dataclass
class LoadError:
    where: str
    error: str


def looks_like_html(path: Path, text: str) -> bool:
    return path.suffix.lower() in (".html", ".htm") or text.lstrip().startswith("<")


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The supported files under the given paths, folders walked recursively in name order."""
    for path in paths:
        if path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")


def raw_from_text(path: Path, text: str) -> RawArticle:
    kind = ContentType.HTML if looks_like_html(path, text) else ContentType.TEXT
    return RawArticle(content=text, content_type=kind, metadata={"file": path.name})


def _validated(where: str, data: object) -> RawArticle | LoadError:
    if not isinstance(data, dict):
        return LoadError(where, f"expected a JSON object, got {type(data).__name__}")
    try:
        return RawArticle.model_validate(data)
    except ValidationError as exc:
        return LoadError(where, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))


def load_file(path: Path) -> Iterator[RawArticle | LoadError]:
    """The articles in one file, or why a part of it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        yield LoadError(str(path), f"cannot read: {exc}")
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield _validated(f"{path}:{number}", json.loads(line))
                except json.JSONDecodeError as exc:
                    yield LoadError(f"{path}:{number}", f"not JSON: {exc}")
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            yield LoadError(str(path), f"not JSON: {exc}")
            return
        for index, item in enumerate(data if isinstance(data, list) else [data]):
            yield _validated(f"{path}[{index}]" if isinstance(data, list) else str(path), item)
    elif not text.strip():
        yield LoadError(str(path), "the file is empty")
    else:
        yield raw_from_text(path, text)
