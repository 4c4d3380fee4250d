"""newsflow's stages, one folder each, in the order data flows: producer -> cleaner -> extractor -> indexer."""
