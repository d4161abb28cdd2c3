"""Reading and writing extracts: map columns once, parse times, correlate ids, quarantine bad rows."""
