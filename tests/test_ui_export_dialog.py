"""The export dialog's target: drives offered first, a sentence when there are none, and a folder
picker that starts where drives are mounted or in the user's home (never the program's folder)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.engine import evidence
from app.engine.evidence import DriveList, drives

from .ui_fixtures import open_window  # noqa: F401
from .ui_sample import insert_sample


def _picker(monkeypatch, answer: Path) -> list[str]:
    """The desktop's folder picker, answering ``answer``; returns where it was opened."""
    opened: list[str] = []

    def picker(_parent, _title, start="", *_a, **_k):
        opened.append(start)
        return str(answer)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(picker))
    return opened


def test_no_drive_says_why_and_the_picker_starts_at_home(ws, people, open_window, clock, tmp_path,
                                                          monkeypatch):
    insert_sample(ws, int(clock()))
    monkeypatch.setattr(evidence, "drive_list", lambda: DriveList([], drives.NO_DRIVE))
    usb = tmp_path / "usb"
    usb.mkdir()
    opened = _picker(monkeypatch, usb)
    window = open_window(people.user("ddeputy", "deputy"))
    window.detail.load(1)
    window.detail.actions.export_button.click()
    dialog = window.read_actions.dialog
    assert dialog.target.count() == 0 and dialog.target.placeholderText().startswith("No removable drive")
    assert dialog.drive_note.isVisibleTo(dialog) and dialog.drive_note.text() == drives.NO_DRIVE
    dialog.choose_button.click()
    assert opened == [str(Path.home())]                 # not the folder the program runs in
    assert dialog.target.currentData() == str(usb)


def test_drives_come_first_the_picker_opens_in_the_media_folder_and_refresh_looks_again(
        ws, people, open_window, clock, tmp_path, monkeypatch):
    insert_sample(ws, int(clock()))
    media = tmp_path / "media" / "ddeputy"
    stick = media / "EVIDENCE"
    stick.mkdir(parents=True)
    found = [DriveList([drives.Drive("/dev/sdb1", stick, "EVIDENCE", 8 << 30, 7 << 30, "lsblk")])]
    monkeypatch.setattr(evidence, "drive_list", lambda: found[0])
    monkeypatch.setattr(drives, "media_folder", lambda: media)
    opened = _picker(monkeypatch, stick)
    window = open_window(people.user("ddeputy", "deputy"))
    window.detail.load(1)
    window.detail.actions.export_button.click()
    dialog = window.read_actions.dialog
    assert dialog.target.currentData() == str(stick) and "EVIDENCE" in dialog.target.currentText()
    assert not dialog.drive_note.isVisibleTo(dialog)
    dialog.choose_button.click()
    assert opened == [str(media)]
    found[0] = DriveList([], "The removable drive at /media/x is read-only or not writable by you.")
    dialog.refresh_button.click()                       # the stick was pulled: it is no longer offered
    assert dialog.target.count() == 0
    assert dialog.drive_note.text().startswith("The removable drive at /media/x is read-only")


def test_the_engine_says_why_no_drive_is_offered(monkeypatch, tmp_path):
    stick = tmp_path / "STICK"
    stick.mkdir()
    monkeypatch.setattr(drives.sys, "platform", "linux")
    monkeypatch.setattr(drives, "_linux", lambda: [])
    monkeypatch.setattr(drives.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert drives.drive_list().why_none == drives.NO_DRIVE
    monkeypatch.setattr(drives, "_linux", lambda: [drives.Drive("/dev/sdb1", stick, "STICK", 1, 1, "lsblk")])
    monkeypatch.setattr(drives.os, "access", lambda _p, _m: False)
    found = drives.drive_list()
    assert found.drives == [] and f"at {stick} is read-only or not writable" in found.why_none
    monkeypatch.setattr(drives.shutil, "which", lambda _name: None)
    assert "neither udisksctl nor lsblk is installed" in drives.drive_list().why_none
    assert drives.start_folder([]) == Path.home()
