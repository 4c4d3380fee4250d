"""Contracts: message schemas, settings, identity and stage outcomes. Pure; imports no runtime."""
