"""Reading and writing extracts: map columns, parse times, correlate ids, quarantine bad rows."""
