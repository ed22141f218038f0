"""Fault tests (issue 7): concurrency, crashes, hostile environments, backup, load, fuzz."""
