#!/usr/bin/env bash
# One-shot import of newsflow's Kibana objects (data view, visualisations, dashboard) from
# $SAVED_OBJECTS through Kibana's saved objects import API. Overwrites objects with the same
# ids, so running it again is safe. A missing file is not an error: there is nothing to import.
set -euo pipefail

KIBANA_URL=${KIBANA_URL:-http://kibana:5601}
SAVED_OBJECTS=${SAVED_OBJECTS:-/kibana/saved_objects.ndjson}

if [ ! -s "$SAVED_OBJECTS" ]; then
    echo "kibana-setup: $SAVED_OBJECTS is missing or empty (deploy/kibana/saved_objects.ndjson in the" \
         "repository); nothing imported. Kibana works, but without newsflow's dashboard."
    exit 0
fi
[ -n "${ELASTIC_PASSWORD:-}" ] || { echo "kibana-setup: error: ELASTIC_PASSWORD is empty" >&2; exit 1; }

for attempt in $(seq 1 20); do
    response=$(curl -sS -u "elastic:${ELASTIC_PASSWORD}" -H "kbn-xsrf: newsflow" \
        -X POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" \
        --form "file=@${SAVED_OBJECTS}" 2>&1) || true
    if printf '%s' "$response" | grep -Eq '"success": ?true'; then
        count=$(printf '%s' "$response" | grep -Eo '"successCount": ?[0-9]+' | grep -Eo '[0-9]+$' || true)
        echo "kibana-setup: imported ${count:-?} saved objects from $SAVED_OBJECTS"
        exit 0
    fi
    echo "kibana-setup: attempt $attempt failed: ${response:0:500}"
    sleep 5
done
echo "kibana-setup: error: the import did not succeed" >&2
exit 1
