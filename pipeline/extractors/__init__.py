"""Extractors: citations, indicators, percentages, deadlines, units, tasks (issue 4)."""
