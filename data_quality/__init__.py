"""Data-quality gate: GX suites per source, row rules, quarantine with reasons, raw = clean + quarantined."""
