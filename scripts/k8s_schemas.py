"""JSON schemas for kubeconform, made from the Kubernetes OpenAPI spec and from CRD files.

Writes one file per kind and API version, named ``<kind>-<group>-<version>.json`` (``<group>`` is
the first label of the API group; the core group has none: ``<kind>-<version>.json``), which is
the layout kubeconform's ``{{ .ResourceKind }}{{ .KindSuffix }}.json`` template reads:

    kubernetes/deployment-apps-v1.json     from swagger.json (definitions with a group-version-kind)
    crds/scaledobject-keda-v1alpha1.json   from a CustomResourceDefinition's openAPIV3Schema

The schemas are strict, as kubeconform's ``-strict`` expects of its standard schemas: an object
that lists its properties accepts no others (a misspelt field fails instead of being dropped by
the API server), ``kind`` and ``apiVersion`` must name the file's kind, and quantities and
int-or-string fields accept both forms the API server accepts. Each file carries the
definitions it refers to, so it validates on its own (no network, no other file).
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REF_PREFIX = "#/definitions/"
INT_OR_STRING = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
QUANTITY = {"oneOf": [{"type": "string"}, {"type": "number"}]}
# Definitions of the spec whose "type: string" is really a union of JSON types.
UNION_DEFINITIONS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": INT_OR_STRING,
    "io.k8s.apimachinery.pkg.api.resource.Quantity": QUANTITY,
}


def file_name(group: str, version: str, kind: str) -> str:
    """kubeconform's name for a kind: lower-case kind, first label of the group, version."""
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return f"{kind.lower()}{suffix}.json"


def strict(node: Any) -> Any:
    """A copy of a schema in which every object that lists properties allows no others,
    int-or-string fields accept both types and ``nullable`` admits null."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out.pop("format", None)
        out.setdefault("anyOf", INT_OR_STRING["oneOf"])
    if out.get("format") == "int-or-string":
        out.pop("format")
        out.pop("type", None)
        out["oneOf"] = INT_OR_STRING["oneOf"]
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    return out


def refs_of(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            yield ref[len(REF_PREFIX):]
        for value in node.values():
            yield from refs_of(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs_of(item)


def closure(definitions: dict[str, Any], root: str) -> dict[str, Any]:
    """The definitions ``root`` refers to, directly or not (root excluded)."""
    seen: dict[str, Any] = {}
    todo = list(refs_of(definitions[root]))
    while todo:
        name = todo.pop()
        if name in seen or name == root:
            continue
        seen[name] = definitions[name]
        todo.extend(refs_of(definitions[name]))
    return seen


def pin_kind(schema: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    """A document of this file must say this kind and API version."""
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {**props.get("apiVersion", {}), "type": "string", "enum": [api_version]}
    props["kind"] = {**props.get("kind", {}), "type": "string", "enum": [kind]}
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind"})
    return schema


def kubernetes_schemas(swagger: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, schema) for every kind of the OpenAPI v2 spec."""
    definitions = {
        name: UNION_DEFINITIONS.get(name) or strict(schema) for name, schema in swagger["definitions"].items()
    }
    for name, schema in swagger["definitions"].items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            api_version = f"{group}/{version}" if group else version
            doc = pin_kind(copy.deepcopy(definitions[name]), api_version, kind)
            doc.pop("x-kubernetes-group-version-kind", None)
            doc["$schema"] = "http://json-schema.org/draft-07/schema#"
            doc["definitions"] = closure(definitions, name)
            yield file_name(group, version, kind), doc


def crd_schemas(crd: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, schema) for every served version of a CustomResourceDefinition."""
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    for version in crd["spec"]["versions"]:
        if not version.get("served", True):
            continue
        schema = strict(version["schema"]["openAPIV3Schema"])
        schema.setdefault("properties", {})["metadata"] = {"type": "object"}
        doc = pin_kind(schema, f"{group}/{version['name']}", kind)
        doc["$schema"] = "http://json-schema.org/draft-07/schema#"
        yield file_name(group, version["name"], kind), doc


def write(out_dir: Path, schemas: Iterator[tuple[str, dict[str, Any]]]) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for name, schema in schemas:
        (out_dir / name).write_text(json.dumps(schema, separators=(",", ":"), sort_keys=True), encoding="utf-8")
        count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swagger", type=Path, required=True, help="Kubernetes api/openapi-spec/swagger.json")
    parser.add_argument("--crd", type=Path, action="append", default=[], help="a CustomResourceDefinition YAML")
    parser.add_argument("--out", type=Path, required=True, help="writes <out>/kubernetes and <out>/crds")
    args = parser.parse_args()
    swagger = json.loads(args.swagger.read_text(encoding="utf-8"))
    kinds = write(args.out / "kubernetes", kubernetes_schemas(swagger))
    crds = 0
    for path in args.crd:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                crds += write(args.out / "crds", crd_schemas(doc))
    print(f"{kinds} Kubernetes schemas ({swagger['info']['version']}) and {crds} CRD schemas in {args.out}")


if __name__ == "__main__":
    main()
