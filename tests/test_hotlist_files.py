"""Hotlist files as the state and the FBI write them, imported into both city-server backends:
counts, rejected lines with reasons, whole-file refusals, atomic replacement, the watched
folder, the audit trail, and entries that carry the plate's state."""
from __future__ import annotations

import subprocess
import sys

import pytest

from app.server.hotlist_files.formats import FileRefused, clew
from app.server.hotlist_files.watch import import_file, scan
from tests.server_helpers import city  # noqa: F401 - the fixture

NOW = 1_795_190_400


def clew_file(records: list[str], total: int | None = None, date: str = "20261120") -> bytes:
    """A CA DOJ CLEW table: DATE header, fixed-width records, TOTAL RECORD footer."""
    lines = [f"DATE {date}", *records, f"TOTAL RECORDS {len(records) if total is None else total:06d}"]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def rec(plate: str, state: str = "CA", county: str = "19", lost: str = "20261101") -> str:
    return f"{plate:<8}{state:<2}{county:<2}{lost}"


def ncic_line(code: str, plate: str, state: str, year: str = "2027", make: str = "TOYT",
              model: str = "CAM", color: str = "SIL") -> str:
    return f"{code}{plate:<10}{state:<2}{year:<4}{make:<4}{model:<3}{color:<3}NIC{plate:<7}"


def active(server, list_id: str, at: int = NOW) -> dict[tuple[str, str | None], str]:
    rows = server.feed("hotlist_entries", 0, 100000)
    return {(r[2], r[8]): r[3] for r in rows if r[1] == list_id and (r[5] is None or r[5] > at)}


def test_clew_svs_import_counts_rejects_and_states(city, tmp_path):  # noqa: F811
    f = tmp_path / "svs_20261120.txt"
    f.write_bytes(clew_file([rec("7ABC123"), rec("5XYZ999", "NV", "  ", "        "), rec("BAD!!", "CA"),
                             rec("6DEF456", "QQ"), rec("4GHI567", "CA", "19", "2026X101")]))
    report = import_file(city.server, f, "amanager", NOW)
    assert (report.added, report.kept, report.expired) == (2, 0, 0)
    assert [n for n, _ in report.rejects] == [4, 5, 6]
    assert "not a state" in report.rejects[1][1] and report.rejects[2][1] == "bad date of loss"
    assert active(city.server, "svs") == {
        ("7ABC123", "CA"): "Stolen vehicle (CA DOJ SVS), county 19, reported 2026-11-01",
        ("5XYZ999", "NV"): "Stolen vehicle (CA DOJ SVS)"}
    (_at, op, action, detail), = [a for a in city.server.audit_entries() if a[2] == "hotlist_import"]
    assert (op, detail["list"], detail["added"], detail["rejected"]) == ("amanager", "svs", 2, 3)


def test_a_cut_off_clew_file_is_refused_whole_and_the_list_stays(city, tmp_path):  # noqa: F811
    f = tmp_path / "sfr.txt"
    f.write_bytes(clew_file([rec("7ABC123"), rec("8BCD234")]))
    import_file(city.server, f, "amanager", NOW)
    f.write_bytes(clew_file([rec("1AAA111")], total=2))
    with pytest.raises(FileRefused, match="footer counts 2 records but the file holds 1"):
        import_file(city.server, f, "amanager", NOW + 60)
    f.write_bytes(b"DATE 20261120\r\n" + rec("1AAA111").encode() + b"\r\n")
    with pytest.raises(FileRefused, match="cut off"):
        import_file(city.server, f, "amanager", NOW + 60)
    assert set(active(city.server, "sfr")) == {("7ABC123", "CA"), ("8BCD234", "CA")}
    assert [a[2] for a in city.server.audit_entries()].count("hotlist_refused") == 2


def test_a_new_file_replaces_its_list_atomically(city, tmp_path):  # noqa: F811
    f = tmp_path / "slr.txt"
    f.write_bytes(clew_file([rec("7ABC123"), rec("8BCD234")]))
    import_file(city.server, f, "amanager", NOW)
    before = city.server.head()
    f.write_bytes(clew_file([rec("8BCD234"), rec("9CDE345")]))
    report = import_file(city.server, f, "amanager", NOW + 3600)
    assert (report.added, report.kept, report.expired) == (1, 1, 1)
    changed = {r[2]: r[5] for r in city.server.feed("hotlist_entries", before, 100)}
    assert changed == {"9CDE345": None, "7ABC123": NOW + 3600}          # workstations pull both
    assert set(active(city.server, "slr", NOW + 3600)) == {("8BCD234", "CA"), ("9CDE345", "CA")}


def test_ncic_extract_list_codes(city, tmp_path):  # noqa: F811
    f = tmp_path / "ncic_extract.dat"
    f.write_text("\n".join([ncic_line("A", "7ABC123", "CA"), ncic_line("V", "ABC1234", "AZ"),
                            ncic_line("P", "5XYZ999", "NV", "", "", "", ""), ncic_line("Q", "1AAA111", "CA"),
                            ncic_line("W", "2BBB222", "ZZ")]) + "\n")
    report = import_file(city.server, f, "amanager", NOW)
    assert report.added == 3 and [n for n, _ in report.rejects] == [4, 5]
    assert report.rejects[0][1] == "unknown list code 'Q'"
    assert active(city.server, "ncic") == {("7ABC123", "CA"): "AMBER Alert (NCIC): 2027 SIL TOYT CAM",
                                           ("ABC1234", "AZ"): "Stolen vehicle (NCIC): 2027 SIL TOYT CAM",
                                           ("5XYZ999", "NV"): "Stolen plate (NCIC)"}


def test_csv_list_and_the_watched_folder(city, tmp_path):  # noqa: F811
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "city_code.csv").write_text(
        "plate,state,description,category,expiry\n7ABC123,CA,Abandoned vehicle,code,2026-12-31\n"
        "8BCD234,,Scofflaw,parking\nbad plate!,CA,x\n9CDE345,CA,Expiry wrong,,31/12/2026\n")
    (folder / "svs.txt").write_bytes(clew_file([rec("6DEF456")]))
    (folder / "notes.txt").write_text("not a hotlist")
    first = scan(city.server, folder, "watcher", NOW)
    assert sorted(r.list_id for r in first) == ["city_code", "svs"]
    csv_report = next(r for r in first if r.list_id == "city_code")
    assert csv_report.added == 2 and [n for n, _ in csv_report.rejects] == [4, 5]
    assert active(city.server, "city_code") == {("7ABC123", "CA"): "Abandoned vehicle [code]",
                                                ("8BCD234", None): "Scofflaw [parking]"}
    assert scan(city.server, folder, "watcher", NOW + 300) == []          # same files: skipped


def test_a_10000_line_clew_file(city, tmp_path):  # noqa: F811
    data = clew_file([rec(f"{i:07d}") for i in range(10_000)])
    assert len(clew(data, "svs", NOW).entries) == 10_000
    f = tmp_path / "svs.txt"
    f.write_bytes(data)
    assert import_file(city.server, f, "amanager", NOW).added == 10_000


def test_hotlist_import_cli_says_one_sentence(tmp_path):
    f = tmp_path / "svs.txt"
    f.write_bytes(clew_file([rec("7ABC123")], total=5))
    from tests.server_helpers import OPERATOR, OPERATOR_PASSWORD, make_city
    c, cleanup = make_city("embedded", tmp_path)
    c.server.close()
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "server", "hotlist", "import", str(f),
                          "--server", c.address, "--operator", OPERATOR, "--password-stdin"],
                         input=OPERATOR_PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "svs.txt was not imported: the footer counts 5 records but the file holds 1" in out.stderr + out.stdout
