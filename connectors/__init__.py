"""Readers from source systems into the canonical schema, and the CMMS write-back."""
