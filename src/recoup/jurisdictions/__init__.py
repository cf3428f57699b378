"""Jurisdiction data (rate tables, compensation bands, rules) and the code that reads it."""
