"""Audit viewer (administrator): who did what, when, before and after (U2)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QTextBrowser, QVBoxLayout

from app.domain.rules_fa import AUDIT_ACTION_FA, AUDIT_ENTITY_FA, audit_words
from app.services import browse

from .. import fmt
from ..models import Column
from ..widgets import ListPanel
from .base import Screen


class AuditScreen(Screen):
    title = "ردپای تغییرات"
    name = "audit"

    def __init__(self, ctx, runner, parent=None):
        super().__init__(ctx, runner, parent)
        self.list = ListPanel(
            "ردپای تغییرات (آخرین ۲٬۰۰۰)",
            [
                Column("شماره", lambda a: a.id),
                Column("زمان", lambda a: a.at),
                Column("کاربر", lambda a: a.actor, str, ltr=True),
                Column(
                    "کار",
                    lambda a: AUDIT_ACTION_FA.get(a.action, a.action),
                    str,
                    tip=lambda a: a.action,
                ),
                Column(
                    "موضوع",
                    lambda a: AUDIT_ENTITY_FA.get(a.entity, a.entity),
                    str,
                    tip=lambda a: a.entity,
                ),
                Column("شناسه", lambda a: a.entity_id),
            ],
        )
        self.detail = QTextBrowser(self)
        self.list.selected.connect(self._show)
        self.reload_button = QPushButton("بازخوانی", self)
        self.reload_button.clicked.connect(self.refresh)
        split = QSplitter(self)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.reload_button)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addWidget(self.message)

    def refresh(self) -> None:
        self.run(browse.audit_page, self.ctx, on_done=self._loaded)

    def _loaded(self, rows) -> None:
        self.list.set_rows(rows)
        self.list.select_first()

    def _show(self, a) -> None:
        if a is None:
            self.detail.clear()
            return

        def block(title: str, d) -> str:
            body = json.dumps(d, ensure_ascii=False, indent=1) if d else "—"
            return f"<h4>{title}</h4><pre dir='ltr' align='left'>{_esc(body)}</pre>"

        self.detail.setHtml(
            f"<p><b>{_esc(audit_words(a.action, AUDIT_ACTION_FA))}</b> — "
            f"{_esc(audit_words(a.entity, AUDIT_ENTITY_FA))} {fmt.code(a.entity_id)}<br>"
            f"{fmt.fa(a.at)} — <span dir='ltr'>{_esc(a.actor)}</span></p>"
            + block("پیش از", a.before)
            + block("پس از", a.after)
        )


def _esc(s: str) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
