"""newsflow's own package, by role:

- ``shared.contracts``: what stages and other programs agree on (message schemas and their JSON
  Schemas, the one settings object, article identity, the outcomes stage logic returns). Imports
  nothing else of newsflow.
- ``shared.runtime``: the streaming runtime every stage runs on (the stage runner, Kafka,
  Elasticsearch clients, dead letters, metrics). Imports only contracts.
- ``shared.devstack``: the embedded Kafka and Elasticsearch for one machine; only the CLI, the
  demo and the tests use it.
"""
