"""Analyses on the canonical log: handoffs, re-entry, candidates, projection, costs, KPIs."""
