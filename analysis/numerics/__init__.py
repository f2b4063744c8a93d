"""Numerical building blocks shared by the statistics (no pandas)."""
