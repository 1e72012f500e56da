"""Ingestion: reading complaint exports and reference layers, validating and
normalising them, and landing them in PostGIS set-based."""
