"""The planners' report: a self-contained HTML risk list (inline SVG plots, no scripts) and a CSV."""
