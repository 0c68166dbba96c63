"""docs/compliance.md maps every clause of Civil Code 1798.90.5-1798.90.55 and every rule of the
three seed policies to the feature that meets it and the tests that show it (issue 14). This
test keeps the map honest: every clause below has a row, every row names tests, and every
test it names exists. A clause outside the program (a council's public hearing, a court's
remedy) may say so, but only the clauses listed in ``OUTSIDE`` may."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "compliance.md"

STATUTE = [
    "1798.90.5", "1798.90.51(a)", "1798.90.51(b)(1)", "1798.90.51(b)(2)(A)", "1798.90.51(b)(2)(B)",
    "1798.90.51(b)(2)(C)", "1798.90.51(b)(2)(D)", "1798.90.51(b)(2)(E)", "1798.90.51(b)(2)(F)",
    "1798.90.51(b)(2)(G)", "1798.90.52(a)(1)", "1798.90.52(a)(2)", "1798.90.52(a)(3)",
    "1798.90.52(a)(4)", "1798.90.52(b)", "1798.90.53(a)", "1798.90.53(b)(1)", "1798.90.53(b)(2)",
    "1798.90.54", "1798.90.55(a)", "1798.90.55(b)", "1798.29(i)(3)",
]
CALABASAS = [
    "CAL-I", "CAL-II", "CAL-III(a)", "CAL-III(b)", "CAL-III(c)", "CAL-III(d)", "CAL-III(e)",
    "CAL-III(f)", "CAL-III(g)", "CAL-III(h)", "CAL-III(i)", "CAL-IV(a)", "CAL-IV(b)", "CAL-IV(c)",
    "CAL-IV(d)", "CAL-IV(e)", "CAL-V", "CAL-ACC(a)", "CAL-ACC(b)", "CAL-ACC(c)", "CAL-REL(a)",
    "CAL-REL(b)", "CAL-REL(c)", "CAL-REL-NONLE", "CAL-TRAIN",
]
COACHELLA = [f"COA-{n}" for n in (1, 2, 3, "3-contractor", 4, 5, 6, 7, 8, 9, 10, 11)]
LAMETRO = ["LAM-2", "LAM-3A", "LAM-3B", "LAM-3C1", "LAM-3C2", "LAM-4", "LAM-5", "LAM-6",
           "LAM-7", "LAM-8", "LAM-9", "LAM-10", "LAM-11"]
REQUIRED = STATUTE + CALABASAS + COACHELLA + LAMETRO
# Duties of the agency's council or of a court, not of a program: the map says who meets them.
OUTSIDE = {"1798.90.54", "1798.90.55(a)", "LAM-3B", "LAM-11"}

ROW = re.compile(r"^\|\s*`?(?P<id>[A-Z0-9][\w.()\-]*)`?\s*\|(?P<cells>.*)\|\s*$")
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m and m.group("id") not in ("Clause", "---"):
            assert m.group("id") not in rows, f"{m.group('id')} has two rows in docs/compliance.md"
            rows[m.group("id")] = m.group("cells")
    return rows


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            and n.name.startswith("test")}


def test_every_clause_of_the_law_and_the_three_policies_has_a_row():
    rows = _rows()
    missing = [c for c in REQUIRED if c not in rows]
    assert not missing, f"clauses with no row in docs/compliance.md: {missing}"
    unknown = sorted(set(rows) - set(REQUIRED))
    assert not unknown, f"rows for clauses this test does not know (add them to REQUIRED): {unknown}"


def test_every_row_names_tests_that_exist():
    found: dict[Path, set[str]] = {}
    problems = []
    for clause, cells in _rows().items():
        refs = TEST_REF.findall(cells)
        if not refs:
            if clause in OUTSIDE and "outside the program" in cells.lower():
                continue
            problems.append(f"{clause}: names no test")
        for file, name in refs:
            path = ROOT / file
            if not path.is_file():
                problems.append(f"{clause}: {file} does not exist")
                continue
            if name not in found.setdefault(path, _tests_in(path)):
                problems.append(f"{clause}: {file} has no test {name}")
    assert not problems, "\n".join(problems)


def test_only_the_listed_clauses_may_be_outside_the_program():
    outside = {c for c, cells in _rows().items() if "outside the program" in cells.lower()}
    assert outside <= OUTSIDE, outside - OUTSIDE
