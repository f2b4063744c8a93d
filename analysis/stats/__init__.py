"""Statistics by topic: pure functions returning result objects."""
