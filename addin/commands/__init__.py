"""CLI commands and the demo, below `cli.py` (argument parsing) and above the core."""
