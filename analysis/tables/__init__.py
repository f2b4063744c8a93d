"""Result -> Table builders, one module per analysis."""
