"""Command line of avoid-survey: one thin file per command, joined in main.py."""
