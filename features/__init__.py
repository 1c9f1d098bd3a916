"""Point-in-time window features per asset, declared in spec.yaml and computed in polars."""
