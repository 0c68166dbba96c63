"""The city server on PostgreSQL: the system of record for a city's reads.

``init_schema`` applies ``installer/server/*.sql`` (idempotent); ``PgServer`` is the shared
interface over a psycopg connection in autocommit mode with explicit transactions.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import psycopg

from .base import CityServer

SQL_DIR = Path(__file__).resolve().parents[2] / "installer" / "server"
SQL_FILES = ("schema.sql", "roles.sql")


def _sql(text: str) -> str:
    return text.replace("?", "%s")


def connect(dsn: str, password: str | None = None, timeout: int = 10) -> psycopg.Connection:
    extra = {"password": password} if password else {}
    return psycopg.connect(dsn, autocommit=True, connect_timeout=timeout,
                           application_name="alpr-workstation", **extra)


def init_schema(dsn: str, password: str | None = None) -> str:
    """Create or update the schema and group roles; safe to run again. Returns the server id."""
    with connect(dsn, password) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7316001)")   # two inits at once wait
            for name in SQL_FILES:
                conn.execute((SQL_DIR / name).read_text(encoding="utf-8"))
        return conn.execute("SELECT value FROM server_meta WHERE key = 'server_id'").fetchone()[0]


class PgServer(CityServer):
    kind = "postgresql"
    errors = (psycopg.Error,)

    def __init__(self, dsn: str, password: str | None = None) -> None:
        self.dsn = dsn
        self.conn = connect(dsn, password)
        self._months: set[int] = set()

    def describe(self) -> str:
        info = self.conn.info
        return f"PostgreSQL {info.dbname} as {info.user} on {info.host or 'local socket'}"

    @contextlib.contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        with self.conn.transaction():
            yield self.conn

    def _run(self, conn, sql: str, params: tuple = ()) -> list[tuple]:
        cur = conn.execute(_sql(sql), params, prepare=False)
        return cur.fetchall() if cur.description else []

    def _many(self, conn, sql: str, rows: list[tuple]) -> None:
        if rows:
            with conn.cursor() as cur:
                cur.executemany(_sql(sql), rows)

    def _in_list(self, values: list) -> tuple[str, object]:
        return "(SELECT unnest(%s::text[]))" if values and isinstance(values[0], str) \
            else "(SELECT unnest(%s::bigint[]))", list(values)

    def _lock_changes(self, conn) -> None:
        conn.execute("SELECT value FROM counters WHERE name = 'change' FOR UPDATE")

    def _prepare_months(self, read_ats: Iterable[int]) -> None:
        months = {t - t % 86400 for t in read_ats} - self._months
        if months:
            with self.conn.transaction():
                for day in sorted(months):
                    self.conn.execute("SELECT alpr_ensure_month(%s)", (day,))
            self._months |= months

    def _prepare_in_tx(self, conn, read_at: int) -> None:
        conn.execute("SELECT alpr_ensure_month(%s)", (read_at,))

    def feed(self, name: str, since: int, limit: int) -> list[tuple]:
        # Binary transfer and one round trip: the bulk of a first sync is this query.
        from .model import FEEDS
        cols = ", ".join(FEEDS[name])
        with self.conn.cursor(binary=True) as cur:
            cur.execute(f"SELECT {cols} FROM {name} WHERE seq > %s ORDER BY seq LIMIT %s", (since, limit))
            return cur.fetchall()

    def close(self) -> None:
        self.conn.close()
