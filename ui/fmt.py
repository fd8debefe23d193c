"""The desk's formatting: the shared Persian presentation of `app/present/fa.py`."""

from app.present.fa import *  # noqa: F403
from app.present.fa import KIND_FA, LEDGER_FA, LRI, OUTCOME_FA, PDI, RLM, STATUS_FA  # noqa: F401
