"""Screenshots of the five analysis panels on demo-city data, into docs/screenshots/analysis-*.png.

Run:  QT_QPA_PLATFORM=xcb scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" \\
          .venv/bin/python scripts/analysis_screenshots.py [--reads 60000]

A fresh encrypted store gets the demo city's cameras and reads with the planted cases of
bench/analyses_city.py; each panel is run as a user would, then grabbed from a real window.
The stakeout result is also printed, and its report's first page rendered with pdftoppm.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from PySide6.QtWidgets import QApplication  # noqa: E402

from analyses_city import DAY, fill  # noqa: E402
from app.engine.workstation import Workstation  # noqa: E402
from app.ui.analyses import (AnalysesTabs, CameraMapPanel, ClonesPanel, ConvoyPanel,  # noqa: E402
                             LocatePanel, StakeoutPanel)
from app.ui.analyses.common import set_time  # noqa: E402
from app.ui.errors import ErrorPresenter  # noqa: E402
from app.ui.ops import ImmediateRunner  # noqa: E402
from tests.conftest import Clock, People  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=60_000)
    args = ap.parse_args()
    app = QApplication(sys.argv)
    clock = Clock()
    ws = Workstation.create(Path(tempfile.mkdtemp(prefix="alpr-shots-")) / "store", "calabasas", clock)
    people = People(ws, clock)
    session = people.user("jrivera", "deputy")
    end = int(clock()) // DAY * DAY
    k = fill(ws, args.reads, 30, end)
    presenter = ErrorPresenter(interactive=False)
    tabs = AnalysesTabs(ws, session, ImmediateRunner(presenter))
    tabs.setWindowTitle("ALPR workstation - analyses")
    tabs.resize(1400, 820)
    tabs.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def shoot(panel, name: str) -> None:
        tabs.tabs.setCurrentWidget(panel)
        for _ in range(5):
            app.processEvents()
        if presenter.shown:
            raise SystemExit(f"{name}: {presenter.shown[-1]}")
        tabs.grab().save(str(OUT / f"analysis-{name}.png"))
        print("wrote", OUT / f"analysis-{name}.png")

    st = tabs.panel(StakeoutPanel)
    st.add_place()
    for row, (site, s, e) in zip(st.rows, k.stakeout):
        row.where.setCurrentIndex(row.where.findData(f"site:{site}"))
        set_time(row.start, s)
        set_time(row.end, e)
    st.run()
    shoot(st, "stakeout")
    pdf = Path(tempfile.mkdtemp(prefix="alpr-report-")) / "stakeout.pdf"
    st.print_pdf(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(OUT / "analysis-report-stakeout")], check=True)
    print("wrote", OUT / "analysis-report-stakeout.png")

    lo = tabs.panel(LocatePanel)
    lo.plate.setText(k.locate)
    lo.run()
    shoot(lo, "locate")

    cv = tabs.panel(ConvoyPanel)
    cv.plate.setText(k.convoy[0])
    set_time(cv.start, k.convoy[1])
    set_time(cv.end, k.convoy[2])
    cv.run()
    shoot(cv, "convoy")

    cl = tabs.panel(ClonesPanel)
    set_time(cl.start, end - 7 * DAY)
    set_time(cl.end, end)
    cl.run()
    shoot(cl, "clones")

    cm = tabs.panel(CameraMapPanel)
    set_time(cm.start, k.start)
    set_time(cm.end, end)
    cm.run()
    app.processEvents()
    cm.click_camera("CR-OT-E")
    shoot(cm, "camera-map")
    ws.close()


if __name__ == "__main__":
    main()
