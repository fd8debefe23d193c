"""Where an installation keeps its files: the data folder (`NEZARAT_DATA`, by default
`~/.nezarat`) — the one desk's database, the server's key, SMS files."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    return Path(os.environ.get("NEZARAT_DATA", Path.home() / ".nezarat"))
