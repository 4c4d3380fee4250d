"""Operating the pipeline as a whole: workers, status, dead letters, the demo and the local stack."""
