"""Demo step placeholder."""
