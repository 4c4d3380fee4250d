"""The embedded development stack: a real Apache Kafka (KRaft) and Elasticsearch started on this
machine from Maven Central artifacts. Apart from the pipeline: no stage imports it; the CLI's
``stack`` commands, ``make demo`` and the test suite do."""

from shared.devstack.base import ComponentStatus, StackError
from shared.devstack.processes import PidFile, stop_process
from shared.devstack.stack import Stack

__all__ = ["ComponentStatus", "PidFile", "Stack", "StackError", "stop_process"]
