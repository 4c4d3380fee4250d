"""The streaming runtime: one stage runner over Faust/Kafka, clients, dead letters and metrics."""
