"""Security settings reach every client: Kafka (aiokafka producer, consumer, admin; Faust) with
SASL/SCRAM and the CA, Elasticsearch with user, password and CA. Checked on the clients' own
options, so a setting that is not passed on fails here."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import faust
import pytest

from services.stages import stage
from shared.contracts.settings import Settings
from shared.runtime.elastic import async_client, client_options, sync_client
from shared.runtime.kafka import new_consumer, new_producer, security_options
from shared.runtime.worker import faust_app, faust_credentials


@pytest.fixture(scope="module")
def cafile(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real CA certificate, made with the JDK's keytool like the secure stack does."""
    folder = tmp_path_factory.mktemp("ca")
    store = ["-storetype", "PKCS12", "-storepass", "changeit", "-keystore", str(folder / "ca.p12")]
    subprocess.run(["keytool", "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-dname", "CN=test CA", "-ext",
                    "bc:c", *store], check=True, capture_output=True)
    subprocess.run(["keytool", "-exportcert", "-rfc", "-alias", "ca", *store, "-file", str(folder / "ca.pem")],
                   check=True, capture_output=True)
    return str(folder / "ca.pem")


def secure(cafile: str, **extra: object) -> Settings:
    return Settings(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
                    kafka_sasl_username="svc", kafka_sasl_password="pw", kafka_ssl_cafile=cafile,
                    elasticsearch_url="https://es.internal:9200", elasticsearch_username="elastic",
                    elasticsearch_password="espw", elasticsearch_ca_certs=cafile, **extra)


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    assert security_options(Settings()) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(Settings()) is None


async def test_kafka_clients_carry_sasl_scram_and_tls(cafile: str) -> None:
    settings = secure(cafile)
    options = security_options(settings)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512" and options["sasl_plain_username"] == "svc"
    assert isinstance(options["ssl_context"], ssl.SSLContext)
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    producer = new_producer(settings)
    consumer = new_consumer(settings, "t")
    for client in (producer.client, consumer._client):
        assert client._security_protocol == "SASL_SSL" and client._sasl_mechanism == "SCRAM-SHA-512"
        assert client._sasl_plain_username == "svc" and client._sasl_plain_password == "pw"
        assert client._ssl_context is not None


def test_faust_gets_sasl_credentials_with_the_ssl_context(cafile: str, tmp_path: Path) -> None:
    settings = secure(cafile, stack_home=tmp_path)
    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL" and credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.username == "svc" and credentials.ssl_context is not None
    app = faust_app(stage("cleaner"), settings, client="newsflow-cleaner@test")
    assert app.conf.broker_credentials is credentials or app.conf.broker_credentials.username == "svc"


@pytest.mark.parametrize(("overrides", "complaint"), [
    ({"kafka_security_protocol": "TLS"}, "choose one of"),
    ({"kafka_sasl_mechanism": "MD5"}, "choose one of"),
    ({"kafka_sasl_password": None}, "needs NEWSFLOW_KAFKA_SASL_USERNAME"),
])
def test_incomplete_kafka_security_is_refused_with_the_setting_named(
    cafile: str, overrides: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        security_options(secure(cafile).model_copy(update=overrides))


def test_elasticsearch_clients_carry_credentials_and_ca(cafile: str) -> None:
    settings = secure(cafile)
    options = client_options(settings)
    assert options["basic_auth"] == ("elastic", "espw") and options["ca_certs"] == cafile
    for client in (sync_client(settings), async_client(settings, max_retries=0)):
        node = next(iter(client.transport.node_pool.all()))
        assert node.config.scheme == "https" and node.config.ca_certs == cafile
        assert client._headers["authorization"].startswith("Basic ")
