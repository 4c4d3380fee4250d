#!/usr/bin/env bash
# Builds what tests/unit/test_helm.py needs to render and validate the Helm chart, from pinned
# sources, into .tools/ (git-ignored; NEWSFLOW_TOOLS_DIR moves it):
#
#   bin/helm, bin/kubeconform       built with `go install` from their Go modules
#   schemas/kubernetes/...          JSON schemas made from the Kubernetes OpenAPI spec that the
#                                   k8s.io/kubernetes module ships (api/openapi-spec/swagger.json)
#   schemas/crds/...                JSON schemas made from KEDA's CRDs (config/crd/bases in the
#                                   github.com/kedacore/keda/v2 module)
#
# Idempotent: a stamp file records the pinned versions; when they match, nothing is done.
# Go's module and build caches live under .tools/go too, so deleting .tools starts afresh.
# Needs Go 1.26 or later (helm v3.22 requires it; GOTOOLCHAIN=local, so no toolchain download)
# and the project's Python with PyYAML (the dev extra). The first build takes about 3 CPU-minutes.
set -euo pipefail

HELM_VERSION=v3.22.0
HELM_KUBE_MINOR=37               # helm v3.22.0 builds against client-go v0.37, i.e. Kubernetes 1.37
KUBECONFORM_VERSION=v0.7.0
KUBERNETES_VERSION=v1.34.4       # the schema's Kubernetes release; the chart needs 1.23 or later
KEDA_VERSION=v2.21.0

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${NEWSFLOW_TOOLS_DIR:-$ROOT/.tools}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
STAMP="$TOOLS/.versions"
WANT="helm=$HELM_VERSION/1.$HELM_KUBE_MINOR kubeconform=$KUBECONFORM_VERSION kubernetes=$KUBERNETES_VERSION keda=$KEDA_VERSION"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
    && [ -x "$TOOLS/bin/helm" ] && [ -x "$TOOLS/bin/kubeconform" ] \
    && [ -d "$TOOLS/schemas/kubernetes" ] && [ -d "$TOOLS/schemas/crds" ]; then
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "ensure-k8s-tools: Go is needed to build helm and kubeconform (go install); install Go and run again." >&2
    exit 1
fi

mkdir -p "$TOOLS/bin" "$TOOLS/go"
export GOPATH="$TOOLS/go" GOMODCACHE="$TOOLS/go/mod" GOCACHE="$TOOLS/go/cache" GOBIN="$TOOLS/bin"
export GOFLAGS="-mod=mod -modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0
rm -f "$STAMP"
started=$SECONDS

step() { echo "ensure-k8s-tools: $*"; }

step "building helm $HELM_VERSION (go install; the first build takes a few minutes)"
# The ldflags are those of helm's own Makefile: without the Kubernetes version, `helm template`
# would assume Kubernetes 1.20.
go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

step "building kubeconform $KUBECONFORM_VERSION"
go install -trimpath -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"

module_dir() {  # the unpacked source of a Go module in the module cache
    go mod download -json "$1" | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["Dir"])'
}

step "fetching the Kubernetes $KUBERNETES_VERSION OpenAPI spec and KEDA $KEDA_VERSION CRDs (Go modules)"
k8s_dir="$(module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")"
keda_dir="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")"

step "writing JSON schemas to $TOOLS/schemas"
rm -rf "$TOOLS/schemas"
"$PYTHON" "$ROOT/scripts/k8s_schemas.py" \
    --swagger "$k8s_dir/api/openapi-spec/swagger.json" \
    --crd "$keda_dir/config/crd/bases/keda.sh_scaledobjects.yaml" \
    --crd "$keda_dir/config/crd/bases/keda.sh_triggerauthentications.yaml" \
    --out "$TOOLS/schemas"

"$TOOLS/bin/helm" version --short >/dev/null
"$TOOLS/bin/kubeconform" -v >/dev/null
echo "$WANT" > "$STAMP"
step "ready in $((SECONDS - started)) s: $("$TOOLS/bin/helm" version --short), kubeconform $("$TOOLS/bin/kubeconform" -v)"
