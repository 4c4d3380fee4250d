#!/usr/bin/env bash
# One-shot setup of the secured Elasticsearch in docker-compose.yml. Runs in the Elasticsearch
# image as root, with the `certs` volume at $CERTS. Safe to run again: it keeps existing
# certificates and re-applies passwords, role and user.
#
#   1. creates a private CA and a certificate for the node (names: elasticsearch, localhost,
#      127.0.0.1), used for HTTPS and for the transport layer;
#   2. waits for Elasticsearch, then sets the password of the built-in `kibana_system` user
#      (Kibana's own connection) to $KIBANA_PASSWORD;
#   3. creates the role `newsflow_writer` (all rights on the indices "$NEWSFLOW_INDEX_ALIAS*",
#      cluster monitor and template rights only) and the user $NEWSFLOW_ELASTICSEARCH_USERNAME
#      with that role, for the pipeline stages and the API.
set -euo pipefail

CERTS=${CERTS:-/usr/share/elasticsearch/config/certs}
ES_URL=${ES_URL:-https://elasticsearch:9200}
ALIAS=${NEWSFLOW_INDEX_ALIAS:-articles}

fail() { echo "setup: error: $*" >&2; exit 1; }

for var in ELASTIC_PASSWORD KIBANA_PASSWORD NEWSFLOW_ELASTICSEARCH_USERNAME NEWSFLOW_ELASTICSEARCH_PASSWORD; do
    value=${!var:-}
    [ -n "$value" ] || fail "$var is empty; set it in .env (see deploy/docker/env.example)"
    # The values are written into JSON bodies below.
    case $value in *'"'* | *'\'*) fail "$var must not contain a double quote or a backslash" ;; esac
done
[ ${#KIBANA_PASSWORD} -ge 6 ] || fail "KIBANA_PASSWORD needs at least 6 characters"
[ ${#NEWSFLOW_ELASTICSEARCH_PASSWORD} -ge 6 ] || fail "NEWSFLOW_ELASTICSEARCH_PASSWORD needs at least 6 characters"
command -v unzip > /dev/null || fail "unzip is missing from this image"

cd /usr/share/elasticsearch
mkdir -p "$CERTS"

if [ ! -f "$CERTS/ca/ca.crt" ]; then
    echo "setup: creating the certificate authority"
    bin/elasticsearch-certutil ca --silent --pem --out "$CERTS/ca.zip"
    unzip -o -q "$CERTS/ca.zip" -d "$CERTS"
    rm -f "$CERTS/ca.zip"
fi

if [ ! -f "$CERTS/elasticsearch/elasticsearch.crt" ]; then
    echo "setup: creating the node certificate"
    cat > "$CERTS/instances.yml" <<YAML
instances:
  - name: elasticsearch
    dns: [elasticsearch, localhost]
    ip: [127.0.0.1]
YAML
    bin/elasticsearch-certutil cert --silent --pem --in "$CERTS/instances.yml" --out "$CERTS/certs.zip" \
        --ca-cert "$CERTS/ca/ca.crt" --ca-key "$CERTS/ca/ca.key"
    unzip -o -q "$CERTS/certs.zip" -d "$CERTS"
    rm -f "$CERTS/certs.zip"
fi

# Keys readable by root and group 0 only (Elasticsearch and Kibana run with gid 0);
# the CA certificate is public and readable by everyone, the newsflow user included.
chown -R root:root "$CERTS"
find "$CERTS" -type d -exec chmod 750 {} +
find "$CERTS" -type f -exec chmod 640 {} +
chmod 755 "$CERTS" "$CERTS/ca"
chmod 644 "$CERTS/ca/ca.crt"
touch "$CERTS/.ready"   # the healthcheck of this service: Elasticsearch may start now

curl_es() {
    curl -sS --cacert "$CERTS/ca/ca.crt" -u "elastic:${ELASTIC_PASSWORD}" -H "Content-Type: application/json" "$@"
}

echo "setup: waiting for Elasticsearch at $ES_URL"
until curl -sS --cacert "$CERTS/ca/ca.crt" "$ES_URL" 2> /dev/null | grep -q "missing authentication credentials"; do
    sleep 3
done

echo "setup: setting the kibana_system password"
until curl_es -X POST "$ES_URL/_security/user/kibana_system/_password" \
        -d "{\"password\": \"${KIBANA_PASSWORD}\"}" | grep -q '^{}'; do
    sleep 3
done

echo "setup: creating the role newsflow_writer for the indices ${ALIAS}*"
curl_es -f -o /dev/null -X PUT "$ES_URL/_security/role/newsflow_writer" -d @- <<JSON \
    || fail "could not create the role newsflow_writer"
{
  "cluster": ["monitor", "manage_index_templates", "manage_pipeline"],
  "indices": [{"names": ["${ALIAS}*"], "privileges": ["all"]}]
}
JSON

echo "setup: creating the user ${NEWSFLOW_ELASTICSEARCH_USERNAME}"
curl_es -f -o /dev/null -X PUT "$ES_URL/_security/user/${NEWSFLOW_ELASTICSEARCH_USERNAME}" -d @- <<JSON \
    || fail "could not create the user ${NEWSFLOW_ELASTICSEARCH_USERNAME}"
{
  "password": "${NEWSFLOW_ELASTICSEARCH_PASSWORD}",
  "roles": ["newsflow_writer"],
  "full_name": "newsflow pipeline and API"
}
JSON

echo "setup: done"
