"""The server's key file (app/keys.py): made once, whole, however many processes start at once."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor

from app.keys import load_key


def _secret(path: str) -> str:
    return load_key(path).secret.hex()


def test_processes_starting_together_read_one_whole_key(tmp_path):
    for round_ in range(5):  # each round a new file that twelve processes race to make
        path = tmp_path / f"r{round_}" / "server.key"
        with ProcessPoolExecutor(max_workers=12) as pool:
            secrets = set(pool.map(_secret, [str(path)] * 12))
        assert len(secrets) == 1 and len(bytes.fromhex(secrets.pop())) == 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["server.key"]  # no leftovers
