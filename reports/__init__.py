"""The planners' report: a self-contained HTML risk list (inline SVG, no scripts) and a CSV."""
