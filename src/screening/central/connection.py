"""Reaching the central database: URLs, the driver, and errors that never show a password.

Every failure of the driver becomes one :class:`~screening.errors.StoreError` naming what to
do; the URL in a message is always :func:`redact`\\ ed, and the password is scrubbed from the
driver's own words too.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from screening.errors import StoreError
from screening.records.listing import is_central as is_central

CENTRAL_ENV = "SCREENING_CENTRAL_URL"
SCHEMA = "screening"  #: the PostgreSQL schema holding the central tables
APPLICATION = "screening-central"
_SECRET_PARAMS = {"password", "passfile", "sslpassword"}


def redact(url: str) -> str:
    """The URL fit for a message, a log or the audit trail: no password, anywhere in it."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}@{host}" if user else host
        query = urlencode(
            [(k, "***" if k in _SECRET_PARAMS else v) for k, v in parse_qsl(parts.query)]
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    except ValueError:
        return "(a postgresql:// URL that cannot be read)"


def _password(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        if parts.password:
            return unquote(parts.password)
        return dict(parse_qsl(parts.query)).get("password")
    except ValueError:
        return None


def scrub(text: str, url: str) -> str:
    """``text`` with the URL's password (raw or URL-encoded) removed."""
    secret = _password(url)
    if secret:
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "***")
    return text.replace(url, redact(url))


def driver() -> Any:
    """psycopg, or a message saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "The central database needs the PostgreSQL driver, which is not installed on this "
            "computer: pip install 'screening[central]'."
        ) from None
    return psycopg


def resolve(url: str | None, saved: str | None = None) -> str:
    """The central URL: the option, else ``SCREENING_CENTRAL_URL``, else the saved setting."""
    chosen = url or os.environ.get(CENTRAL_ENV, "").strip() or saved
    if not chosen:
        raise StoreError(
            "No central database given: use --to postgresql://USER@HOST/DB or set "
            f"{CENTRAL_ENV} (keep the password in ~/.pgpass, not in the URL)."
        )
    if not is_central(chosen):
        raise StoreError(
            f"'{redact(chosen)}' is not a central database URL: it must start with "
            "postgresql://"
        )
    return chosen


def describe(exc: BaseException, url: str, action: str) -> StoreError:
    """One user-facing error for a driver failure: what happened and what to do."""
    text = scrub(str(exc).strip(), url)
    where = f"the central database {redact(url)}"
    low = text.lower()
    sqlstate = getattr(exc, "sqlstate", None) or ""
    if "password authentication failed" in low or "no password supplied" in low or (
        sqlstate == "28P01"
    ):
        message = (
            f"Could not {action}: {where} refused the user name or password. Check the user "
            "in the URL and its password (in ~/.pgpass or PGPASSWORD)."
        )
    elif sqlstate == "28000" or "no pg_hba.conf entry" in low or "role" in low and (
        "does not exist" in low
    ):
        message = (
            f"Could not {action}: {where} does not let this user in ({_first_line(text)}). "
            "Ask the database administrator for an account (screening central init prints "
            "the grants)."
        )
    elif sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        message = (
            f"Could not {action}: there is no such database at {where}. Check the database "
            "name in the URL, or ask the database administrator to create it."
        )
    elif sqlstate == "42501" or "permission denied" in low:
        message = (
            f"Could not {action}: this user may not do that on {where} "
            f"({_first_line(text)}). Use the account made for it (push or read)."
        )
    elif "invalid dsn" in low or "invalid uri" in low or "missing" in low and "=" in low:
        message = f"'{redact(url)}' is not a valid postgresql:// URL ({_first_line(text)})."
    elif sqlstate.startswith("08") or any(
        w in low
        for w in (
            "connection refused",
            "could not translate host",
            "timeout",
            "could not connect",
            "connection failed",
            "server closed the connection",
            "no route to host",
            "network is unreachable",
            "name or service not known",
        )
    ):
        message = (
            f"Could not {action}: {where} cannot be reached ({_first_line(text)}). Check the "
            "network and the host and port in the URL; nothing was sent, try again later."
        )
    else:
        message = f"Could not {action}: {where} reported an error ({_first_line(text)})."
    return StoreError(message)


def _first_line(text: str) -> str:
    line = text.splitlines()[0] if text else "no details"
    return line.removeprefix("connection failed: ").strip()


def connect(url: str, *, action: str, autocommit: bool = False) -> Any:
    """An open connection, or a StoreError that shows no password."""
    psycopg = driver()
    try:
        return psycopg.connect(
            url, autocommit=autocommit, connect_timeout=10, application_name="screening"
        )
    except psycopg.Error as exc:
        raise describe(exc, url, action) from None
    except ValueError as exc:  # a URL the driver cannot parse at all
        raise describe(exc, url, action) from None


@contextlib.contextmanager
def guard(url: str, action: str) -> Iterator[None]:
    """Driver errors inside become one StoreError (redacted)."""
    psycopg = driver()
    try:
        yield
    except psycopg.Error as exc:
        raise describe(exc, url, action) from None


def schema_version(conn: Any, url: str) -> int:
    """The central schema's version; 0 when the database has none yet. Raises StoreError for a
    database of another application (a ``screening`` schema that is not ours)."""
    with guard(url, "read the central database"):
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                [SCHEMA],
            )
        }
        if not tables:
            exists = conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", [SCHEMA]
            ).fetchone()
            if exists is None:
                return 0
        if "meta" not in tables:
            raise StoreError(
                f"{redact(url)} holds a '{SCHEMA}' schema that is not a screening central "
                "database (another application's). Leave it untouched and use another "
                "database."
            )
        meta = dict(conn.execute(f"SELECT key, value FROM {SCHEMA}.meta").fetchall())
    if meta.get("application") != APPLICATION:
        raise StoreError(
            f"{redact(url)} holds a '{SCHEMA}' schema that is not a screening central database "
            "(another application's). Leave it untouched and use another database."
        )
    try:
        return int(meta.get("schema_version", 0))
    except ValueError:
        return 0


def require_schema(conn: Any, url: str, known: int) -> int:
    """The schema version, checked: present (else 'run central init') and not newer."""
    version = schema_version(conn, url)
    if version == 0:
        raise StoreError(
            f"{redact(url)} is not set up as a central database yet: run "
            "'screening central init URL' as its owner first."
        )
    if version > known:
        raise StoreError(
            f"The central database {redact(url)} has schema {version}, newer than this version "
            f"of screening knows ({known}). Upgrade screening on this computer; nothing was "
            "sent."
        )
    if version < known:
        raise StoreError(
            f"The central database {redact(url)} has schema {version}; this version of "
            f"screening needs {known}. Its owner runs 'screening central init URL' to migrate."
        )
    return version
