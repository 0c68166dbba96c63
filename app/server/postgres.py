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
from .model import LOG_COLUMNS

SQL_DIR = Path(__file__).resolve().parents[2] / "installer" / "server"
SQL_FILES = ("schema.sql", "roles.sql")
FETCH_SLICE = 2_000           # rows converted between chances for other threads to run


def _sql(text: str) -> str:
    return text.replace("?", "%s")


def connect(dsn: str, password: str | None = None, timeout: int = 10) -> psycopg.Connection:
    extra = {"password": password} if password else {}
    return psycopg.connect(dsn, autocommit=True, connect_timeout=timeout,
                           application_name="alpr-workstation", **extra)  # type: ignore[arg-type]  # extra holds libpq keywords (strings), not the typed arguments


def init_schema(dsn: str, password: str | None = None, retention_days: int | None = None) -> str:
    """Create or update the schema and group roles; safe to run again. Returns the server id.
    ``retention_days`` (the policy profile's) bounds what a purge may remove."""
    with connect(dsn, password) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7316001)")   # two inits at once wait
            for name in SQL_FILES:
                conn.execute((SQL_DIR / name).read_text(encoding="utf-8"))
            if retention_days is not None:
                conn.execute("INSERT INTO server_meta(key, value) VALUES ('retention_days', %s) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             (str(int(retention_days)),))
        return conn.execute("SELECT value FROM server_meta WHERE key = 'server_id'").fetchone()[0]  # type: ignore[index]  # this query always answers a row


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
        # Rows are converted in slices: psycopg converts a whole fetch without letting another
        # thread run, and a first sync's batch of 50,000 reads would hold the GUI thread for
        # 100 ms. The result is already on the client after execute; the slices cost nothing.
        with self.conn.cursor(binary=True) as cur:
            cur.execute(f"SELECT {cols} FROM {name} WHERE seq > %s ORDER BY seq LIMIT %s", (since, limit))
            rows: list[tuple] = []
            while chunk := cur.fetchmany(FETCH_SLICE):
                rows += chunk
            return rows

    # -- the access log's anchor: checked by the server itself (schema.sql) ----------------
    def enrol_log(self, workstation_id: str, first_key: bytes, start_seq: int, start_hash: str,
                  now: int) -> str:
        return self.conn.execute("SELECT alpr_enrol_log(%s, %s, %s, %s, %s)",  # type: ignore[index]  # this query always answers a row
                                 (workstation_id, first_key, start_seq, start_hash, now)).fetchone()[0]

    def report_alert(self, workstation_id: str, kind: str, detail: str, now: int) -> None:
        self.conn.execute("SELECT alpr_log_alert(%s, %s, %s, %s)", (workstation_id, now, kind, detail))

    def log_alerts(self, workstation_id: str) -> list[tuple[int, str, str]]:
        return [(int(r[0]), r[1], r[2]) for r in self.conn.execute(
            "SELECT at, kind, detail FROM alpr_log_alerts(%s)", (workstation_id,)).fetchall()]

    def log_receipt(self, workstation_id: str) -> tuple[int, str] | None:
        row = self.conn.execute("SELECT seq, hash FROM alpr_log_receipt(%s)", (workstation_id,)).fetchone()
        return (int(row[0]), row[1]) if row else None

    def upload_log(self, workstation_id: str, rows: list[tuple], now: int) -> tuple[int, str] | None:
        """The trigger checks each row against the anchor and drops (and alerts on) the rest."""
        cols = ", ".join(LOG_COLUMNS)
        marks = ",".join(["%s"] * (len(LOG_COLUMNS) + 2))
        with self.conn.transaction():
            with self.conn.cursor() as cur:
                cur.executemany(f"INSERT INTO access_log(workstation_id, {cols}, received_at) "
                                f"VALUES ({marks}) ON CONFLICT DO NOTHING",
                                [(workstation_id, *r, now) for r in rows])
        return self.log_receipt(workstation_id)

    def close(self) -> None:
        self.conn.close()
