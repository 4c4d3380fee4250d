"""newsflow's HTTP API and search page."""
