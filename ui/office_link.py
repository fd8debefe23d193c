"""The desk's HTTP link to the office server: urllib3's connection pool — keep-alive,
safe to share between the task runner's workers, an idle connection the server has closed
noticed before it is used again — and HTTPS with the server's certificate checked against
the office's CA (or the system's).

urllib3 rather than httpx for the desk's calls: the same request costs about half a
millisecond less of client work (URL parsing, header models, the h11 state machine), which is
a third of what a list page through the server adds to the service itself
(docs/performance.md, "The desk call on SQLite"). Retries are the desk's own (ui/remote.py:
reads, and writes with their idempotency key), so the pool never retries by itself.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

import orjson
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    LocationParseError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import parse_url


class LinkError(Exception):
    """The request did not get an answer (refused, reset, timed out, a bad certificate); the
    message says which in Persian, for the connection dialog, and ends with the technical
    reason for the office's IT."""


def _why(exc: HTTPError, where: str) -> str:
    if isinstance(exc, SSLError):
        what = f"گواهی امنیتی سرور دفتر ({where}) با گواهی دفتر (CA) تأیید نشد"
    elif isinstance(exc, NewConnectionError | ConnectTimeoutError):
        what = f"سرور دفتر در {where} پاسخ نمی‌دهد"
    elif isinstance(exc, ReadTimeoutError):
        what = f"سرور دفتر ({where}) در زمان مقرر پاسخ نداد"
    else:
        what = f"ارتباط با سرور دفتر ({where}) قطع شد"
    reason = str(getattr(exc, "reason", None) or exc).split(": ")[-1]
    return f"{what} — \u2066{reason[:120]}\u2069"  # the Latin reason isolated left to right


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Any  # urllib3's case-insensitive HTTPHeaderDict
    content: bytes

    def json(self) -> Any:
        return orjson.loads(self.content)


class OfficeLink:
    """Requests to one office server, by path."""

    def __init__(self, base_url: str, ca_file: str | None = None, timeout: float = 60.0):
        try:
            url = parse_url(base_url.strip().rstrip("/"))
        except LocationParseError as exc:
            raise ValueError(f"نشانی سرور نامعتبر است: {base_url}") from exc
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"نشانی سرور باید با http:// یا https:// آغاز شود: {base_url}")
        self.headers = {"User-Agent": "nezarat-desk"}
        options: dict[str, Any] = {
            "maxsize": 8,  # the task runner's workers at once; more wait for a free one
            "block": True,
            "timeout": urllib3.Timeout(connect=10.0, read=timeout),
            "retries": False,
        }
        if url.scheme == "https":
            context = ssl.create_default_context(cafile=ca_file or None)
            self.pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
                url.host, url.port or 443, ssl_context=context, **options
            )
        else:
            self.pool = urllib3.HTTPConnectionPool(url.host, url.port or 80, **options)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        try:
            r = self.pool.urlopen(
                method,
                path,
                body=body,
                headers={**self.headers, **(headers or {})},  # urlopen's replace the pool's
                redirect=False,
            )
        except HTTPError as exc:
            raise LinkError(_why(exc, f"{self.pool.host}:{self.pool.port}")) from exc
        return Answer(r.status, r.headers, r.data)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> Answer:
        return self.request("POST", path, body, headers)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> OfficeLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
