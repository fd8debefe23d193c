"""Command-line entry points behind `main.py`."""
