"""Screenshots of the alert queue, a hit notification and a printed read, into docs/screenshots/.

Run under a keyring and Xvfb:
    scripts/with-keyring xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/alert_screenshots.py

It reuses scripts/screenshots.py's throwaway store with sample data. A deputy sets standing
alerts under a case; reads then arrive as a sync applies them (stored, matched, alerts fired in
one transaction) and the Alerts screen shows what they found (alerts.png). A new hit on a
priority-1 hotlist then raises the notification, grabbed as the in-window toast over the Search
screen (alerts-notification.png: a tray message cannot be grabbed). Last, the read is printed
and its first page rendered with pdftoppm (read-print.png).
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import begin, login, prepare, settle, shoot, window_for  # noqa: E402

from app.engine import hits  # noqa: E402
from app.engine.alerts.store import on_new_reads  # noqa: E402


def arrive(ws, copies: list[tuple[int, str, int]]) -> None:
    """New reads (copies of sample reads, with their photos, under new ids and times), applied as a
    sync applies them."""
    now = time.time()
    with ws.store.transaction() as conn:
        for new_id, plate, at in copies:
            conn.execute(
                "INSERT INTO reads(id, plate, read_at, camera_id, confidence, vendor, plate_box, "
                "plate_image_sha256, scene_image_sha256, plate_state) SELECT ?, plate, ?, camera_id, "
                "confidence, vendor, plate_box, plate_image_sha256, scene_image_sha256, plate_state FROM reads "
                "WHERE plate = ? ORDER BY id LIMIT 1", (new_id, at, plate))
        ids = [c[0] for c in copies]
        hits.match_reads(conn, ids, now)
        on_new_reads(conn, ids, now)


def main() -> int:
    args, tmp = begin(__doc__, "alpr-alert-shots-")
    ws, secrets = prepare(tmp / "store")
    ws.store.execute("UPDATE hotlists SET priority = CASE id WHEN 'city-ce' THEN 4 ELSE 1 END")
    deputy = login(ws, "dlopez", secrets)
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004512")
    ws.alerts.set(deputy, "6TRK221", 14, "CA", "Warrant vehicle: call Det. Ruiz, x4417")
    ws.alerts.set(deputy, "3DOG7?7", 7, note="Partial plate from the witness")
    ws.set_purpose(deputy, "WANTED", "LHS-2026-004533")
    ws.alerts.set(deputy, "9QRS334", 30, "AZ", "Seen near the Commons, two nights")
    start = int(time.time()) + 120
    arrive(ws, [(900001, "6TRK221", start), (900002, "3DOG777", start + 600),
                (900003, "9QRS334", start + 1500), (900004, "6TRK221", start + 3000)])

    ctx, window = window_for(ws, deputy, tmp)
    window.tabs.setCurrentWidget(window.alerts)
    window.alerts.refresh()
    settle(ctx)
    window.alerts.queue.selectRow(0)
    shoot(window, args.out, "alerts")

    window.tabs.setCurrentIndex(0)                       # the Search screen is open
    window.search.plate.setText("8XYZ999")
    window.search.run_search()
    settle(ctx)
    window.notifier.poll()
    settle(ctx)
    arrive(ws, [(900005, "8XYZ999", int(time.time()))])    # a stolen car: priority 1
    window.notifier.poll()
    settle(ctx)
    shoot(window, args.out, "alerts-notification")

    pdf = tmp / "read.pdf"
    ws.set_purpose(deputy, "STOLEN-VEH", "LHS-2026-004512")
    ws.printing.read(deputy, 900005, pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(args.out / "read-print")], check=True)
    print(f"wrote {args.out / 'read-print'}.png")
    window.close()
    settle(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main())
