"""Which mounted drives are removable media, on each operating system, in one place.

Linux asks udisks when ``udisksctl`` is installed (it knows what the desktop considers
removable), else ``lsblk``'s removable and hot-plug flags; Windows asks GetDriveTypeW;
macOS asks ``diskutil`` for external physical disks. The user can always pick any folder
instead, so a drive missing from this list never blocks an export.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Drive:
    device: str
    mount_point: Path
    label: str
    size: int              # bytes the file system offers
    free: int
    source: str            # lsblk | udisks | windows | macos


def _space(mount: Path) -> tuple[int, int]:
    try:
        usage = shutil.disk_usage(mount)
        return usage.total, usage.free
    except OSError:
        return 0, 0


def _drive(device: str, mount: str, label: str, source: str) -> Drive:
    return Drive(device, Path(mount), label or Path(mount).name, *_space(Path(mount)), source)


def _run(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def parse_lsblk(text: str) -> list[Drive]:
    """Mounted partitions of devices flagged removable, hot-plug or on USB."""
    out: list[Drive] = []

    def walk(dev: dict, removable: bool) -> None:
        removable = removable or bool(dev.get("rm")) or bool(dev.get("hotplug")) or dev.get("tran") == "usb"
        mounts = [m for m in (dev.get("mountpoints") or [dev.get("mountpoint")]) if m]
        if removable:
            out.extend(_drive(f"/dev/{dev['name']}", m, dev.get("label") or "", "lsblk") for m in mounts)
        for child in dev.get("children") or []:
            walk(child, removable)

    for dev in json.loads(text).get("blockdevices", []):
        walk(dev, False)
    return out


def parse_udisks(text: str) -> list[Drive]:
    """Block devices with a mounted file system that udisks does not hint as system disks."""
    out: list[Drive] = []
    for block in re.split(r"(?m)^/org/freedesktop/UDisks2/", text)[1:]:
        props: dict[str, str] = {}
        mounts: list[str] = []
        in_mounts = False
        for line in block.splitlines():
            key, _, value = line.strip().partition(":")
            if in_mounts and line.startswith(" " * 12) and not _:
                mounts.append(line.strip())
                continue
            in_mounts = key == "MountPoints"
            if in_mounts and value.strip():
                mounts.append(value.strip())
            props.setdefault(key, value.strip())
        if props.get("HintSystem") == "false" and mounts:
            out.extend(_drive(props.get("Device", ""), m, props.get("IdLabel", ""), "udisks") for m in mounts)
    return out


def _linux() -> list[Drive]:
    if shutil.which("udisksctl"):
        text = _run(["udisksctl", "dump"])
        if text:
            return parse_udisks(text)
    text = _run(["lsblk", "-J", "-o", "NAME,RM,HOTPLUG,TRAN,LABEL,MOUNTPOINTS"]) or \
        _run(["lsblk", "-J", "-o", "NAME,RM,HOTPLUG,TRAN,LABEL,MOUNTPOINT"])
    return parse_lsblk(text) if text else []


def _windows() -> list[Drive]:
    import ctypes
    import string
    removable = 2                                                    # DRIVE_REMOVABLE
    mask = ctypes.windll.kernel32.GetLogicalDrives()                 # type: ignore[attr-defined]
    out = []
    for i, letter in enumerate(string.ascii_uppercase):
        root = f"{letter}:\\"
        if mask >> i & 1 and ctypes.windll.kernel32.GetDriveTypeW(root) == removable:  # type: ignore[attr-defined]
            out.append(_drive(f"{letter}:", root, "", "windows"))
    return out


def _macos() -> list[Drive]:
    import plistlib
    raw = _run(["diskutil", "list", "-plist", "external", "physical"])
    if not raw:
        return []
    out = []
    for disk in plistlib.loads(raw.encode()).get("AllDisksAndPartitions", []):
        for part in disk.get("Partitions", []) + [disk]:
            if part.get("MountPoint"):
                out.append(_drive(f"/dev/{part.get('DeviceIdentifier', '')}", part["MountPoint"],
                                  part.get("VolumeName", ""), "macos"))
    return out


def removable_drives() -> list[Drive]:
    """Mounted removable drives, writable by this user."""
    return drive_list().drives


@dataclass(frozen=True)
class DriveList:
    """The drives an export can offer, and when there are none, why, in one sentence."""

    drives: list[Drive]
    why_none: str = ""


NO_DRIVE = ("No removable drive (USB stick, SD card) is mounted: plug one in and open it once in "
            "the file manager so that it is mounted, then press Refresh; or choose a folder.")


def drive_list() -> DriveList:
    """Mounted removable drives writable by this user, or the reason none is offered."""
    finder = {"win32": _windows, "darwin": _macos}.get(sys.platform, _linux)
    if finder is _linux and not (shutil.which("udisksctl") or shutil.which("lsblk")):
        return DriveList([], "Removable drives cannot be listed on this computer (neither udisksctl "
                             "nor lsblk is installed): choose the drive's folder instead.")
    try:
        found = finder()
    except (OSError, ValueError, KeyError) as exc:
        return DriveList([], f"Removable drives could not be listed ({exc}): choose the drive's "
                             "folder instead.")
    seen: set[Path] = set()
    out: list[Drive] = []
    refused: list[Drive] = []
    for d in found:
        if d.mount_point in seen:
            continue
        seen.add(d.mount_point)
        (out if os.access(d.mount_point, os.W_OK) else refused).append(d)
    if out:
        return DriveList(out)
    if refused:
        where = ", ".join(str(d.mount_point) for d in refused)
        return DriveList([], f"The removable drive{'s' if len(refused) > 1 else ''} at {where} "
                             f"{'are' if len(refused) > 1 else 'is'} read-only or not writable by you "
                             "(write-protect switch?): use another drive or choose a folder.")
    return DriveList([], NO_DRIVE)


def media_folder() -> Path | None:
    """Where this desktop mounts removable drives (/run/media/<user>, /media/<user>, /Volumes)."""
    user = os.environ.get("USER") or os.environ.get("USERNAME") or ""
    candidates = ([Path("/run/media") / user, Path("/media") / user] if user else []) + \
        [Path("/media"), Path("/Volumes")]
    for p in candidates:
        try:
            if p.is_dir():
                return p
        except OSError:
            continue
    return None


def start_folder(drives: list[Drive] | None = None) -> Path:
    """Where a file picker for an export starts: the media folder when a drive is mounted there
    (so the drives are what the user sees first), else the user's home; never the program's
    working folder."""
    media = media_folder()
    if drives and media is not None and any(media == d.mount_point or media in d.mount_point.parents
                                            for d in drives):
        return media
    if drives:
        return drives[0].mount_point
    return Path.home()


def media_label(target: Path) -> str:
    """How the custody form names the media: the removable drive if it is one, else the folder."""
    target = Path(target).resolve()
    try:
        for d in removable_drives():
            if target == d.mount_point or d.mount_point in target.parents:
                return f"removable drive {d.label} ({d.device}, {d.size / 1e9:.1f} GB) at {target}"
    except (OSError, ValueError):
        pass
    return f"folder {target}"
