"""The workstation's half of the access log's anchor on the city server.

At the first sync the log's first key goes into escrow on the server and leaves the store;
from then on the server re-derives every MAC key and keeps a receipt (the last entry it
received and checked). At every sync the workstation holds its log against that receipt:
a log shorter than the receipt (rolled back, cut short) or different at the receipt
(rewritten), a broken head, or entries the server refused (re-chained with the current
key, re-numbered after a wipe) stop the sync, and the server records an alert that the
administrator and auditor see.
"""
from __future__ import annotations

from . import accesslog
from .errors import TamperDetected

ESCROW_META = "log.first_key"     # the log's first key, until the city server holds it in escrow
CHAIN_START_META = "log.chain_start"   # "seq:hash" where the signed chain starts
RECEIPT_META = "log.receipt"      # "seq:hash" of the last entry the city server confirmed


def pair(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, digest = value.split(":", 1)
    return int(seq), digest


class LogAnchor:
    def __init__(self, ws, server) -> None:
        self.ws, self.server = ws, server
        self.store = ws.store
        self.ws_id = ws.store.store_id

    def check(self) -> None:
        """Before anything moves: the head holds, the first key is in escrow, and the log
        still holds what the server confirmed."""
        with self.store.reading() as conn:
            problem, _head = accesslog.head_problem(conn)
        if problem:
            self._tampered("head", problem)
        first = self.store.get_meta(ESCROW_META)
        if first:
            start = pair(self.store.get_meta(CHAIN_START_META)) or (0, accesslog.GENESIS)
            outcome = self.server.enrol_log(self.ws_id, bytes.fromhex(first), start[0], start[1],
                                            int(self.ws.clock()))
            if outcome != "enrolled":
                self._tampered("re_enrol", "the city server already holds another first key for "
                               "this workstation's log (the log was started again)")
            with self.store.transaction() as conn:
                conn.execute("DELETE FROM meta WHERE key = ?", (ESCROW_META,))
        receipt = self.server.log_receipt(self.ws_id)
        if receipt is None:
            return
        seq, digest = receipt
        with self.store.reading() as conn:
            head_seq = accesslog.head(conn)[0]
            held = accesslog.contains(conn, seq, digest)
        if head_seq < seq:
            self._tampered("rollback", f"the local log ends at entry {head_seq} but the city server "
                           f"already holds entry {seq} (the store was rolled back or its log cut short)")
        if not held:
            self._tampered("rewrite", f"entry {seq} differs from the one the city server received "
                           "(the log was rewritten)")
        self._keep(receipt)

    def confirm(self, sent: tuple[int, str], receipt: tuple[int, str] | None) -> int:
        """After an upload: the server must have taken every entry sent. Returns the last seq
        the server holds, up to which entries count as uploaded."""
        if receipt != sent:
            self._tampered("refused", f"the city server did not accept the log from entry "
                           f"{(receipt or (0,))[0] + 1} on: it is not signed by this log's chain "
                           "(re-written, re-chained or re-numbered)")
        self._keep(receipt)  # type: ignore[arg-type]  # the receipt was just checked or made above
        return receipt[0]  # type: ignore[index]  # the receipt was just checked or made above

    def _keep(self, receipt: tuple[int, str]) -> None:
        self.store.set_meta(RECEIPT_META, f"{receipt[0]}:{receipt[1]}")

    def _tampered(self, kind: str, detail: str) -> None:
        self.server.report_alert(self.ws_id, kind, detail, int(self.ws.clock()))
        raise TamperDetected(f"Access-log tampering found: {detail}. The sync stopped; the city "
                             "server recorded an alert for the administrator and the auditor.")
