"""The desktop (PySide6): counter, engineers, distribution board, signing desk, cartable."""
