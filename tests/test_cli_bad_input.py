"""Every command of ``alpr``, given bad arguments or bad files, exits non-zero with one line on
standard error and never a traceback (issue 12, "No traceback for any user error")."""
from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main as cli
from app.engine.keyslots import SLOTS_NAME
from app.engine.store import DB_NAME, ID_NAME
from app.engine.workstation import Workstation
from tests.conftest import PASSWORD, Clock, People, insert_reads

ROOT = Path(__file__).resolve().parents[1]
PW = PASSWORD + "\n"
WRONG = "Not-the-right-password-1\n"


@pytest.fixture(scope="module")
def good_store(tmp_path_factory):
    """An LA Metro store (no second factor below administrator) with one trained user per role
    the commands need, and a few reads."""
    folder = tmp_path_factory.mktemp("cli") / "store"
    clock = Clock()
    ws = Workstation.create(folder, "lametro-parking", clock)
    people = People(ws, clock)
    for name, role in (("officer", "enforcement"), ("ops", "operations"), ("clerk", "custodian"),
                       ("aud1", "auditor")):
        people.user(name, role, purpose=False)
    people.admin()
    insert_reads(ws, [(1, "7ABC123", int(clock()) - 3600, "CAM-LV-N", 0.9)])
    ws.close()
    ADMIN_SECRET[folder] = people.totp["amanager"]
    yield folder
    root = logging.getLogger()
    for h in [h for h in root.handlers if str(folder) in str(getattr(h, "baseFilename", ""))]:
        root.removeHandler(h)
        h.close()


ADMIN_SECRET: dict[Path, str] = {}


def _admin_code(store: Path) -> str:
    """A one-time code for the administrator's next command. The command line runs on the
    real clock and a code works once, so the last step used is forgotten first (as if the
    administrator had waited for the next code)."""
    import pyotp
    ws = Workstation.open(store, purge_on_start=False)
    try:
        ws.vault.unseal(ws.vault.key_for("amanager", PASSWORD))
        ws.store.execute("UPDATE users SET totp_last_step = NULL")
    finally:
        ws.close()
    return pyotp.TOTP(ADMIN_SECRET[store]).now()


def _admin(command: str, *more: str) -> list[str]:
    """``command`` as the administrator (who has every grant, and a second factor)."""
    return [*command.split(), "--user", "amanager", "--password-stdin", "--totp", "{code}", *more]


def _officer(command: str, *more: str) -> list[str]:
    """``command`` (one or two words) as the enforcement officer, password on standard input."""
    return [*command.split(), "--user", "officer", "--password-stdin", *more]


PURPOSE = ["--purpose", "PARKING-ORD", "--case", "CIT-12345678"]


def _file(name: str, data: bytes | str):
    def make(tmp: Path, _store: Path) -> None:
        (tmp / name).write_bytes(data.encode() if isinstance(data, str) else data)
    return make


def _damage(change):
    """Run the command on a copy of the good store, damaged by ``change(store_folder)``."""
    def make(tmp: Path, store: Path) -> None:
        shutil.copytree(store, tmp / "copy")
        change(tmp / "copy")
    return make


def _slots(change):
    def edit(folder: Path) -> None:
        raw = json.loads((folder / SLOTS_NAME).read_text())
        change(raw)
        (folder / SLOTS_NAME).write_text(json.dumps(raw))
    return edit


# (id, argv, stdin, set-up, words the one line must hold). In argv, {d} is the good store,
# {t} a fresh temporary folder, {c} the damaged copy of the store that the set-up made.
CASES = [
    # -- usage: argparse's own errors, in one line -------------------------------------------------
    ("no-command", [], "", None, "required"),
    ("unknown-command", ["nonsense"], "", None, "invalid choice"),
    ("no-subcommand", ["user"], "", None, "required"),
    ("data-dir-without-value", ["--data-dir"], "", None, "expected one argument"),
    ("search-limit-word", ["search", "--limit", "many"], "", None, "invalid int"),
    ("search-mode", ["search", "--mode", "fuzzy", "X"], "", None, "invalid choice"),
    ("hold-add-id-word", ["hold", "add", "--case-number", "x", "--reason", "y", "one"], "", None, "invalid int"),
    ("hold-release-id-word", ["hold", "release", "one", "--reason", "x"], "", None, "invalid int"),
    ("init-profile", ["init", "--profile", "nowhere", "--admin", "a", "--admin-name", "b"], "", None,
     "invalid choice"),
    ("init-no-admin", ["init"], "", None, "required"),
    ("user-add-bare", ["user", "add"], "", None, "required"),
    ("training-no-dates", ["training", "add", "u"], "", None, "required"),
    ("audit-limit-word", ["audit", "show", "--limit", "x"], "", None, "invalid int"),
    ("evidence-no-to", ["evidence", "export", "1"], "", None, "--to"),
    ("release-agency-name", ["release", "request", "--agency", "Ventura SO"], "", None, "invalid int"),
    ("agency-add-type", ["agency", "add", "--type", "pirates"], "", None, "invalid choice"),
    ("agency-add-level", ["agency", "add", "--level", "galactic"], "", None, "invalid choice"),
    ("agency-retire-word", ["agency", "retire", "one", "--reason", "x"], "", None, "invalid int"),
    ("permission-revoke-word", ["permission", "revoke", "x", "--reason", "y"], "", None, "invalid int"),
    ("breach-complete-both", ["breach", "complete", "1", "--on", "2026-01-01", "--removed-on",
                              "2026-02-01"], "", None, "not allowed with"),
    ("breach-notices-word", ["breach", "notices", "first"], "", None, "invalid int"),
    ("release-approve-word", ["release", "approve", "x", "--note", "n"], "", None, "invalid int"),
    ("analysis-no-place", ["analysis", "stakeout"], "", None, "--place"),
    ("analysis-kmh-word", ["analysis", "clones", "--since", "2026-01-01", "--until", "2026-01-02",
                           "--max-kmh", "fast"], "", None, "invalid float"),
    ("sync-what", ["sync", "everything"], "", None, "invalid choice"),
    ("ocr-verify-no-ids", ["ocr", "verify"], "", None, "required"),
    ("demo-days-word", ["demo", "setup", "--days", "three"], "", None, "invalid int"),
    ("server-no-server", ["server", "ingest", "x"], "", None, "--server"),
    ("user-without-value", ["search", "--user"], "", None, "expected one argument"),
    # -- the store folder and its files ----------------------------------------------------------------
    ("no-store", ["--data-dir", "{t}/none", "status"], "", None, "alpr init"),
    ("data-dir-is-a-file", ["--data-dir", "{t}/f", "status"], "", _file("f", "x"), "not a folder"),
    ("store-id-not-ascii", ["--data-dir", "{c}", "status"], "",
     _damage(lambda f: (f / ID_NAME).write_bytes("störe".encode())), "damaged"),
    ("store-id-empty", ["--data-dir", "{c}", "status"], "", _damage(lambda f: (f / ID_NAME).write_bytes(b"")),
     "damaged"),
    ("slots-not-json", ["--data-dir", "{c}", "status"], "",
     _damage(lambda f: (f / SLOTS_NAME).write_text("{")), "key-slot file"),
    ("slots-pending-junk", ["--data-dir", "{c}", *_officer("status")], PW,
     _damage(_slots(lambda r: r.update(pending=[7]))), "key-slot file"),
    ("slots-other-store", ["--data-dir", "{c}", "status"], "",
     _damage(_slots(lambda r: r.update(store_id="0000"))), "another store"),
    ("slots-unknown-profile", ["--data-dir", "{c}", "status"], "",
     _damage(_slots(lambda r: r.update(profile="nowhere"))), "policy profile"),
    ("slots-profile-path", ["--data-dir", "{c}", "status"], "",
     _damage(_slots(lambda r: r.update(profile="../../../etc/passwd"))), "not the name of a policy profile"),
    ("db-missing", ["--data-dir", "{c}", "status"], "", _damage(lambda f: (f / DB_NAME).unlink()), "missing"),
    ("db-empty", ["--data-dir", "{c}", "status"], "", _damage(lambda f: (f / DB_NAME).write_bytes(b"")),
     "empty"),
    ("db-garbage", ["--data-dir", "{c}", *_officer("status")], PW,
     _damage(lambda f: (f / DB_NAME).write_bytes(os.urandom(8192))), "cannot be decrypted"),
    ("init-over-a-store", ["--data-dir", "{d}", "init", "--admin", "a", "--admin-name", "b",
                           "--password-stdin"], PW, None, "already exists"),
    ("init-under-a-file", ["--data-dir", "{t}/f/store", "init", "--admin", "a", "--admin-name", "b",
                           "--password-stdin"], PW, _file("f", "x"), "Creating the store"),
    ("init-empty-stdin", ["--data-dir", "{t}/new", "init", "--admin", "a", "--admin-name", "b",
                          "--password-stdin"], "", None, "standard input is empty"),
    ("init-weak-password", ["--data-dir", "{t}/new", "init", "--admin", "adm1", "--admin-name", "b",
                            "--password-stdin"], "short\n", None, "password"),
    # -- logging in --------------------------------------------------------------------------------
    ("no-user", ["--data-dir", "{d}", "search", "X"], "", None, "--user"),
    ("wrong-password", ["--data-dir", "{d}", "user", "list", "--user", "ops", "--password-stdin"], WRONG,
     None, "Wrong user name or password"),
    ("unknown-user", ["--data-dir", "{d}", "user", "list", "--user", "nobody", "--password-stdin"], PW,
     None, "Wrong user name or password"),
    ("empty-stdin", ["--data-dir", "{d}", *_officer("search")], "", None, "standard input is empty"),
    ("password-a-megabyte", ["--data-dir", "{d}", *_officer("search")], "x" * 1_000_000 + "\n", None,
     "longer than"),
    ("no-terminal", ["--data-dir", "{d}", "search", "--user", "officer", "X"], "", None, "--password-stdin"),
    ("admin-bad-code", ["--data-dir", "{d}", "user", "list", "--user", "amanager", "--password-stdin",
                        "--totp", "abc"], PW, None, "code"),
    # -- each command, logged in, with a bad argument or file --------------------------------------------
    ("search-no-purpose", ["--data-dir", "{d}", *_officer("search", "7ABC123")], PW, None, "purpose"),
    ("search-bad-purpose", ["--data-dir", "{d}", *_officer("search", "--purpose", "FUN", "--case",
                                                          "CIT-12345678", "X")], PW, None, "purpose"),
    ("search-bad-case", ["--data-dir", "{d}", *_officer("search", "--purpose", "PARKING-ORD", "--case",
                                                       "whatever", "X")], PW, None, "case"),
    ("search-bad-since", ["--data-dir", "{d}", *_officer("search", *PURPOSE, "--since", "yesterday", "X")],
     PW, None, "not a date"),
    ("search-bad-wildcard", ["--data-dir", "{d}", *_officer("search", *PURPOSE, "--mode", "wildcard", "**")],
     PW, None, ""),
    ("search-huge-plate", ["--data-dir", "{d}", *_officer("search", *PURPOSE, "A" * 5000)], PW, None, ""),
    ("search-not-allowed", ["--data-dir", "{d}", "search", "--user", "aud1", "--password-stdin",
                            *PURPOSE, "X"], PW, None, "search"),
    ("user-add-not-allowed", ["--data-dir", "{d}", *_officer("user add", "x", "--full-name", "X Y",
                                                            "--role", "auditor", "--new-password-file",
                                                            "{t}/pw")], PW, _file("pw", PW), "not authorised"),
    ("user-add-no-file", ["--data-dir", "{d}", *_officer("user add", "x", "--full-name", "X Y", "--role",
                                                        "auditor", "--new-password-file", "{t}/none")],
     PW, None, "no such file"),
    ("user-add-file-not-utf8", ["--data-dir", "{d}", *_officer("user add", "x", "--full-name", "X Y",
                                                              "--role", "auditor", "--new-password-file",
                                                              "{t}/pw")], PW, _file("pw", b"\xff\xfe\xfa"),
     "UTF-8"),
    ("user-add-file-is-folder", ["--data-dir", "{d}", *_officer("user add", "x", "--full-name", "X Y",
                                                               "--role", "auditor", "--new-password-file",
                                                               "{t}")], PW, None, "folder"),
    ("user-unlock-not-allowed", ["--data-dir", "{d}", *_officer("user unlock", "ops")], PW, None, ""),
    ("training-bad-date", ["--data-dir", "{d}", *_officer("training add", "ops", "--completed", "soon",
                                                         "--expires", "later")], PW, None, ""),
    ("audit-not-allowed", ["--data-dir", "{d}", *_officer("audit show")], PW, None, "audit"),
    ("audit-export-under-a-file", ["--data-dir", "{d}", "audit", "export", "--user", "aud1",
                                   "--password-stdin", "{t}/f/log.csv"], PW, _file("f", "x"), ""),
    ("audit-export-onto-a-folder", ["--data-dir", "{d}", "audit", "export", "--user", "aud1",
                                    "--password-stdin", "{t}"], PW, None, ""),
    ("audit-verify-against-nothing", ["--data-dir", "{d}", "audit", "verify", "--user", "aud1",
                                      "--password-stdin", "--against", "{t}/none"], PW, None, ""),
    ("audit-verify-against-junk", ["--data-dir", "{d}", "audit", "verify", "--user", "aud1",
                                   "--password-stdin", "--against", "{t}/junk.pdf"], PW,
     _file("junk.pdf", b"%PDF-1.4 junk"), ""),
    ("purge-not-allowed", ["--data-dir", "{d}", *_officer("purge")], PW, None, "purge"),
    ("hold-add-unknown-reads", ["--data-dir", "{d}", "hold", "add", "--user", "clerk", "--password-stdin",
                                "--case-number", "PRK-20260001", "--reason", "x", "999999"], PW, None, ""),
    ("hold-add-bad-case", ["--data-dir", "{d}", "hold", "add", "--user", "clerk", "--password-stdin",
                           "--case-number", "", "--reason", "x", "1"], PW, None, ""),
    ("hold-release-unknown", ["--data-dir", "{d}", "hold", "release", "--user", "clerk", "--password-stdin",
                              "999", "--reason", "x"], PW, None, ""),
    ("export-ids-file-missing", ["--data-dir", "{d}", *_officer("evidence export", *PURPOSE, "--ids-file",
                                                               "{t}/ids", "--to", "{t}", "--description", "x")],
     PW, None, "no such file"),
    ("export-ids-file-words", ["--data-dir", "{d}", *_officer("evidence export", *PURPOSE, "--ids-file",
                                                             "{t}/ids", "--to", "{t}", "--description", "x")],
     PW, _file("ids", "one two"), "read ids"),
    ("export-no-ids", ["--data-dir", "{d}", *_officer("evidence export", *PURPOSE, "--to", "{t}",
                                                     "--description", "x")], PW, None, "read ids"),
    ("export-to-nowhere", ["--data-dir", "{d}", *_officer("evidence export", *PURPOSE, "1", "--to",
                                                         "{t}/none", "--description", "x")], PW, None, ""),
    ("export-unknown-read", ["--data-dir", "{d}", *_officer("evidence export", *PURPOSE, "424242", "--to",
                                                           "{t}", "--description", "x")], PW, None, ""),
    ("evidence-verify-nothing", ["--data-dir", "{d}", *_officer("evidence verify", "{t}/none")], PW, None,
     ""),
    ("evidence-verify-junk", ["--data-dir", "{d}", *_officer("evidence verify", "{t}/pkg")], PW,
     _file("pkg", "{not json"), ""),
    ("release-bad-received", ["--data-dir", "{d}", "release", "request", "--user", "clerk", "--password-stdin",
                              "--agency", "1", "--requester", "R",
                              "--request-purpose", "p", "--description", "d", "--their-case", "1",
                              "--received-on", "soon", "--since", "2026-01-01", "--until", "2026-01-02"],
     PW, None, ""),
    ("release-bad-since", ["--data-dir", "{d}", "release", "request", "--user", "clerk", "--password-stdin",
                           "--agency", "1", "--requester", "R",
                           "--request-purpose", "p", "--description", "d", "--their-case", "1",
                           "--received-on", "2026-01-01", "--since", "then", "--until", "2026-01-02"],
     PW, None, "not a date"),
    ("release-unknown-agency", ["--data-dir", "{d}", "release", "request", "--user", "clerk", "--password-stdin",
                                "--agency", "77", "--requester", "R", "--request-purpose", "p", "--description",
                                "d", "--their-case", "1", "--received-on", "2026-01-01", "--read", "1",
                                "--since", "2026-01-01", "--until", "2026-01-02"], PW, None, "No agency #77"),
    ("agency-add-not-allowed", ["--data-dir", "{d}", "agency", "add", "--user", "clerk", "--password-stdin",
                                "--name", "X", "--type", "law_enforcement", "--level", "local", "--state",
                                "CA", "--agreement", "a", "--contact", "c"], PW, None, "not authorised"),
    ("agency-list-not-allowed", ["--data-dir", "{d}", *_officer("agency list")], PW, None, "not authorised"),
    ("permission-grant-bad-time", ["--data-dir", "{d}", *_officer("permission grant", "x", "--case-number",
                                                                 "c", "--valid-from", "now", "--valid-until",
                                                                 "later", "--document", "d")], PW, None,
     "not a date"),
    ("breach-record-bad-found", ["--data-dir", "{d}", *_officer("breach record", "--what", "w", "--found",
                                                               "yesterday", "--since", "2026-01-01",
                                                               "--until", "2026-01-02")], PW, None,
     "not a date"),
    ("breach-notices-not-allowed", ["--data-dir", "{d}", *_officer("breach notices", "1")], PW, None,
     "not authorised"),
    ("release-approve-unknown", ["--data-dir", "{d}", "release", "approve", "--user", "clerk",
                                 "--password-stdin", "999", "--note", "n"], PW, None, ""),
    ("release-aggregate-unknown", ["--data-dir", "{d}", "release", "aggregate", "--user", "clerk",
                                   "--password-stdin", *PURPOSE, "999", "--since", "2026-01-01", "--until",
                                   "2026-01-02", "--to", "{t}"], PW, None, ""),
    ("stakeout-bad-place", ["--data-dir", "{d}", "analysis", "stakeout", "--user", "ops", "--password-stdin",
                            *PURPOSE, "--place", "garbage"], PW, None, "--place"),
    ("stakeout-one-place", ["--data-dir", "{d}", "analysis", "stakeout", "--user", "ops", "--password-stdin",
                            *PURPOSE, "--place", "CAM-LV-N@2026-01-01/2026-01-02"], PW, None, ""),
    ("stakeout-place-bad-time", ["--data-dir", "{d}", "analysis", "stakeout", "--user", "ops",
                                 "--password-stdin", *PURPOSE, "--place", "CAM-LV-N@noon/night",
                                 "--place", "CAM-LV-S@noon/night"], PW, None, "not a date"),
    ("convoy-negative-window", ["--data-dir", "{d}", "analysis", "convoy", "--user", "ops", "--password-stdin",
                                *PURPOSE, "7ABC123", "--since", "2026-01-01", "--until", "2026-01-02",
                                "--window", "-5"], PW, None, ""),
    ("clones-nan-speed", ["--data-dir", "{d}", "analysis", "clones", "--user", "ops", "--password-stdin",
                          *PURPOSE, "--since", "2026-01-01", "--until", "2026-01-02", "--max-kmh", "nan"],
     PW, None, ""),
    ("clones-until-before-since", ["--data-dir", "{d}", "analysis", "clones", "--user", "ops",
                                   "--password-stdin", *PURPOSE, "--since", "2026-01-02", "--until",
                                   "2026-01-01"], PW, None, ""),
    ("locate-empty-plate", ["--data-dir", "{d}", "analysis", "locate", "--user", "ops", "--password-stdin",
                            *PURPOSE, ""], PW, None, ""),
    ("cameras-pdf-nowhere", ["--data-dir", "{d}", "analysis", "cameras", "--user", "ops", "--password-stdin",
                             *PURPOSE, "--pdf", "{t}/none/x.pdf"], PW, None, ""),
    ("analysis-not-allowed", ["--data-dir", "{d}", "analysis", "cameras", "--user", "aud1", "--password-stdin",
                              *PURPOSE], PW, None, "not authorised"),
    ("ocr-photo-missing", ["--data-dir", "{d}", *_officer("ocr photo", *PURPOSE, "{t}/none.jpg")], PW,
     None, "not a file"),
    ("ocr-photo-not-an-image", ["--data-dir", "{d}", *_officer("ocr photo", *PURPOSE, "{t}/x.jpg")], PW,
     _file("x.jpg", "hello"), ""),
    ("sync-not-configured", ["--data-dir", "{d}", "sync", "--user", "ops", "--password-stdin"], PW, None, ""),
    ("sync-config-no-server", ["--data-dir", "{d}", "sync", "config", "--user", "ops", "--password-stdin"],
     PW, None, "--server"),
    ("sync-config-bad-window", ["--data-dir", "{d}", "sync", "config", "--user", "ops", "--password-stdin",
                                "--server", "embedded:{t}/srv", "--window-days", "0"], PW, None, ""),
    ("sync-config-bad-address", ["--data-dir", "{d}", "sync", "config", "--user", "ops", "--password-stdin",
                                 "--server", "ftp://example.invalid/x"], PW, None, ""),
    ("server-cameras-not-json", ["server", "cameras", "--server", "embedded:{t}/srv", "{t}/c.json"], "",
     _file("c.json", "{"), "JSON"),
    ("server-cameras-missing-file", ["server", "cameras", "--server", "embedded:{t}/srv", "{t}/none.json"],
     "", None, ""),
    ("server-cameras-no-server", ["server", "cameras", "--server", "embedded:{t}/srv", "{t}/c.json"], "",
     _file("c.json", "[]"), ""),
    ("server-hotlists-a-list", ["server", "hotlists", "--server", "embedded:{t}/srv", "{t}/h.json"], "",
     _file("h.json", "[1, 2]"), ""),
    ("server-purge-bad-date", ["server", "purge", "--server", "embedded:{t}/srv", "--before", "soon"], "",
     None, "not a date"),
    ("server-ingest-no-server", ["server", "ingest", "--server", "embedded:{t}/srv", "{t}"], "", None, ""),
    ("server-stats-bad-address", ["server", "stats", "--server", "nonsense://"], "", None, ""),
    ("server-create-over-a-file", ["server", "create-embedded", "{t}/f"], "", _file("f", "x"), ""),
    # -- the administrator's commands ----------------------------------------------------------------
    ("admin-user-add-bad-role", ["--data-dir", "{d}", *_admin("user add", "newbie", "--full-name", "New Bie",
                                                             "--role", "sheriff", "--new-password-file",
                                                             "{t}/pw")], PW, _file("pw", PW), "role"),
    ("admin-user-add-weak-password", ["--data-dir", "{d}", *_admin("user add", "newbie", "--full-name", "N B",
                                                                  "--role", "enforcement",
                                                                  "--new-password-file", "{t}/pw")], PW,
     _file("pw", "abc\n"), "password"),
    ("admin-user-add-empty-file", ["--data-dir", "{d}", *_admin("user add", "newbie", "--full-name", "N B",
                                                               "--role", "enforcement", "--new-password-file",
                                                               "{t}/pw")], PW, _file("pw", ""), ""),
    ("admin-user-disable-unknown", ["--data-dir", "{d}", *_admin("user disable", "nobody")], PW, None, "nobody"),
    ("admin-training-bad-dates", ["--data-dir", "{d}", *_admin("training add", "ops", "--completed", "soon",
                                                              "--expires", "later")], PW, None, ""),
    ("admin-training-expired", ["--data-dir", "{d}", *_admin("training add", "ops", "--completed",
                                                            "2020-01-01", "--expires", "2019-01-01")], PW,
     None, ""),
    ("admin-release-approve-unknown", ["--data-dir", "{d}", *_admin("release approve", "999", "--note", "n")],
     PW, None, "999"),
    ("admin-agency-add-out-of-state", ["--data-dir", "{d}", *_admin("agency add", "--name", "Reno PD", "--type",
                                                                   "law_enforcement", "--level", "local", "--state",
                                                                   "NV", "--agreement", "a", "--contact", "c")],
     PW, None, "1798.90.55(b)"),
    ("admin-agency-add-bad-state", ["--data-dir", "{d}", *_admin("agency add", "--name", "X PD", "--type",
                                                                "law_enforcement", "--level", "local", "--state",
                                                                "California", "--agreement", "a", "--contact",
                                                                "c")], PW, None, "two-letter"),
    ("admin-breach-record-no-package", ["--data-dir", "{d}", *_admin("breach record", "--what", "USB lost",
                                                                    "--found", "2026-01-02", "--since",
                                                                    "2026-01-01", "--until", "2026-01-02",
                                                                    "--package", "ALPR-NOPE")], PW, None,
     "No export"),
    ("admin-breach-complete-unknown", ["--data-dir", "{d}", *_admin("breach complete", "999", "--on",
                                                                   "2026-01-01")], PW, None, "No breach notice"),
    ("admin-breach-complete-bad-date", ["--data-dir", "{d}", *_admin("breach complete", "999", "--on",
                                                                    "soon")], PW, None, ""),
    ("admin-sync-config-bad-window", ["--data-dir", "{d}", *_admin("sync config", "--server", "embedded:{t}/srv",
                                                                  "--window-days", "0")], PW, None, "window"),
    ("admin-sync-config-bad-address", ["--data-dir", "{d}", *_admin("sync config", "--server",
                                                                   "ftp://example.invalid/x")], PW, None, ""),
    ("admin-sync-config-write-for-embedded", ["--data-dir", "{d}", *_admin(
        "sync config", "--server", "embedded:{t}/srv", "--write-server", "host=/nowhere dbname=a user=b")],
     PW, None, "one address"),
    ("admin-sync-config-write-with-password", ["--data-dir", "{d}", *_admin(
        "sync config", "--server", "host=/nowhere dbname=a user=b", "--write-server",
        "postgresql://alpr:hunter2-secret@primary/alpr")], PW, None, "must not contain a password"),
    # -- alpr images: the image cache's budget and prefetch window (administrator) ------------------
    ("images-no-subcommand", ["images"], "", None, "required"),
    ("images-budget-word", ["images", "configure", "--budget-mb", "lots"], "", None, "invalid int"),
    ("images-configure-nothing", ["--data-dir", "{d}", *_officer("images configure")], PW, None,
     "--budget-mb"),
    ("images-not-allowed", ["--data-dir", "{d}", *_officer("images status")], PW, None, "not authorised"),
    ("images-configure-not-allowed", ["--data-dir", "{d}", *_officer("images configure", "--budget-mb",
                                                                    "500")], PW, None, "not authorised"),
    ("admin-images-budget-too-small", ["--data-dir", "{d}", *_admin("images configure", "--budget-mb",
                                                                   "5")], PW, None, "at least 100"),
    ("admin-images-prefetch-too-long", ["--data-dir", "{d}", *_admin("images configure", "--prefetch-days",
                                                                    "400")], PW, None, "0 to 90"),
    ("admin-cameras-pdf-under-a-file", ["--data-dir", "{d}", *_admin("analysis cameras", *PURPOSE, "--pdf",
                                                                    "{t}/f/x.pdf")], PW, _file("f", "x"), ""),
    ("demo-generate-into-a-file", ["demo", "generate", "{t}/f", "--days", "1", "--reads-per-day", "1"], "",
     _file("f", "x"), ""),
    # -- alpr streets: the map's street layer ---------------------------------------------------------
    ("streets-no-file", ["--data-dir", "{d}", *_admin("streets import", "{t}/none.geojson")], PW, None,
     "no such file"),
    ("streets-not-geojson", ["--data-dir", "{d}", *_admin("streets import", "{t}/s.geojson")], PW,
     _file("s.geojson", "{not json"), "s.geojson"),
    ("streets-by-an-officer", ["--data-dir", "{d}", *_officer("streets import", "{t}/s.geojson")], PW,
     _file("s.geojson", '{"type": "FeatureCollection", "features": []}'), "not authorised"),
    # -- alpr setup: refused before anything is written ------------------------------------------------
    ("setup-over-a-store", ["--data-dir", "{d}", "setup", "--admin", "a.b", "--admin-name", "A B",
                            "--password-stdin"], PW, None, "already exists"),
    ("setup-weak-password", ["--data-dir", "{t}/new", "setup", "--admin", "a.b", "--admin-name", "A B",
                             "--password-stdin"], "abc\n", None, "password"),
    ("setup-generic-name", ["--data-dir", "{t}/new", "setup", "--admin", "admin", "--admin-name", "A B",
                            "--password-stdin"], PW, None, "generic"),
    ("setup-no-stdin", ["--data-dir", "{t}/new", "setup", "--admin", "a.b", "--admin-name", "A B",
                        "--password-stdin"], "", None, "empty"),
    ("setup-server-kind", ["setup", "--admin", "a.b", "--admin-name", "A B", "--server", "ftp"], "", None,
     "invalid choice"),
    ("setup-pg-no-address", ["--data-dir", "{t}/new", "setup", "--admin", "a.b", "--admin-name", "A B",
                             "--server", "postgresql", "--password-stdin"], PW, None, "--address"),
    ("setup-demo-days", ["--data-dir", "{t}/new", "setup", "--admin", "a.b", "--admin-name", "A B",
                         "--server", "demo", "--demo-days", "-1"], "", None, "--demo-days"),
    ("setup-no-code", ["--data-dir", "{t}/new", "setup", "--admin", "a.b", "--admin-name", "A B",
                       "--password-stdin", "--server", "none"], PW, None, "before the one-time code"),
]


def _argv(argv: list[str], store: Path, tmp: Path) -> list[str]:
    out = [a.replace("{d}", str(store)).replace("{t}", str(tmp)).replace("{c}", str(tmp / "copy"))
           for a in argv]
    return [_admin_code(store) if a == "{code}" else a for a in out]


@pytest.mark.parametrize("argv, stdin, setup, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_gives_one_line_and_a_non_zero_exit(good_store, tmp_path, monkeypatch, capfd,
                                                     argv, stdin, setup, words):
    if setup is not None:
        setup(tmp_path, good_store)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.delenv("ALPR_DEBUG", raising=False)
    argv = _argv(argv, good_store, tmp_path)
    capfd.readouterr()
    try:
        code = cli.main(argv)
    except SystemExit as exc:                           # argparse's way out, as before
        code = exc.code
    out = capfd.readouterr()                            # all of it, the C libraries' output too
    err = out.err.strip()
    assert code != 0, out
    assert "Traceback" not in out.err + out.out
    assert len(err.splitlines()) == 1, err             # one line: no usage block, no traceback
    assert err.startswith("alpr"), err
    assert "unexpected error" not in err, err           # a user's mistake is not a program fault
    assert words in err, err


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60
    commands = {tuple(a for a in c[1] if not a.startswith(("-", "{")))[:1] for c in CASES}
    assert len(commands) >= 12


@pytest.mark.parametrize("argv, stdin", [
    (["search", "--limit", "many"], ""),
    (["--data-dir", "{t}/none", "status"], ""),
    (["--data-dir", "{d}", "user", "add", "x", "--full-name", "X", "--role", "auditor", "--user", "officer",
      "--password-stdin", "--new-password-file", "{t}/none"], PW),
    (["--data-dir", "{d}", "search", "--user", "officer", "--password-stdin"], b"\xff\xfe\n"),
    (["--data-dir", "{t}", "status"], ""),
])
def test_as_a_real_process_too(good_store, tmp_path, argv, stdin):
    r = subprocess.run([sys.executable, "-m", "app.cli.main", *_argv(argv, good_store, tmp_path)],
                       input=stdin.encode() if isinstance(stdin, str) else stdin, capture_output=True,
                       cwd=ROOT, timeout=120, env={k: v for k, v in os.environ.items() if k != "ALPR_DEBUG"})
    err = r.stderr.decode("utf-8", "replace").strip()
    assert r.returncode != 0 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("alpr") and "unexpected error" not in err, err


def test_a_fault_of_the_program_is_one_line_and_its_traceback_goes_to_the_log(good_store, tmp_path,
                                                                               monkeypatch, capsys):
    from app.cli import core_cmd

    def broken(_ws):
        raise ZeroDivisionError("a bug, for this test")
    monkeypatch.setattr(core_cmd, "_fmt", broken)
    monkeypatch.setattr(core_cmd.Workstation, "open", lambda *a, **k: (_ for _ in ()).throw(
        ZeroDivisionError("a bug, for this test")))
    shutil.copytree(good_store, tmp_path / "copy")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = cli.main(["--data-dir", str(tmp_path / "copy"), "status"])
    err = capsys.readouterr().err.strip()
    assert code == cli.EXIT_FAULT and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "unexpected error (ZeroDivisionError" in err and "workstation.log" in err
    for h in logging.getLogger().handlers:
        h.flush()
    logged = (tmp_path / "copy" / "logs" / "workstation.log").read_text()
    assert "Traceback" in logged and "ZeroDivisionError" in logged
    monkeypatch.setenv("ALPR_DEBUG", "1")                  # developers still get the traceback
    with pytest.raises(ZeroDivisionError):
        cli.main(["--data-dir", str(tmp_path / "copy"), "status"])
    root = logging.getLogger()
    for h in [h for h in root.handlers if str(tmp_path) in str(getattr(h, "baseFilename", ""))]:
        root.removeHandler(h)
        h.close()


def test_streets_import_and_show_as_the_administrator(good_store, tmp_path, monkeypatch, capsys):
    from tests.streets_data import geojson_file
    shutil.copytree(good_store, tmp_path / "copy")
    ADMIN_SECRET[tmp_path / "copy"] = ADMIN_SECRET[good_store]
    layer = geojson_file(tmp_path / "streets.geojson")
    for argv in (["streets", "import", str(layer)], ["streets", "show"]):
        monkeypatch.setattr(sys, "stdin", io.StringIO(PW))
        code = cli.main(["--data-dir", str(tmp_path / "copy"), *argv[:2], "--user", "amanager",
                         "--password-stdin", "--totp", _admin_code(tmp_path / "copy"), *argv[2:]])
        assert code == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "Street layer replaced: 4 street lines from streets.geojson (geojson" in out
    assert "Street layer: 4 street lines from streets.geojson" in out
