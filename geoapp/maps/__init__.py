"""Map pages and the layer catalog (no Flask here)."""
