"""Analyses over the complaints in SQL: aggregates, and later hotspots and parcel checks."""
