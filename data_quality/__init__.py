"""Data-quality gate: GX suites, row rules, quarantine with reasons, raw = clean + quarantined."""
