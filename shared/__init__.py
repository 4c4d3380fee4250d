"""newsflow's own package: settings, message schemas and the Kafka / Elasticsearch plumbing every stage uses."""
