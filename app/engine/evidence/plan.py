"""The file list of an evidence package and the words on its custody form.

Planning is separate from writing so that the same list drives the space check, the
progress bar, the manifest and the PDF's item table.
"""
from __future__ import annotations

import hashlib

import json
import socket
from dataclasses import dataclass

from ..auth import Session
from ..digests import packed
from ..errors import ExportError
from . import derived
from .content import Collected, access_log_csv, local_label, metadata_json, reads_csv, utc_iso
from .custody_pdf import CustodyInfo
from .manifest import ManifestEntry
from .package import PackageFile, Reader

FORMAT = "alpr-evidence-package/1"

README = """ALPR EVIDENCE PACKAGE {name}
Agency: {agency}    Case: {case}

Contents
  images/original/   the camera's images, byte for byte as received (SHA-256 checked at export
                     against the hash recorded when the read was synced)
  images/derived/    images made by the workstation from an original; the name says DERIVED and
                     the operation, metadata.json names the source file and its SHA-256
  reads.csv          one row per read (times in UTC and America/Los_Angeles)
  metadata.json      reads, cameras, sites, confidence, hits, corrections, export details
  access_log.csv     the access-log entries made under this case that touched these reads,
                     each with a sentence saying what was done; entries under other cases are
                     only counted (metadata.json, "access_log")
  manifest.sha256    SHA-256 of every file above
  chain-of-custody.pdf  the custody form; every page prints the SHA-256 of manifest.sha256

Verify with standard tools, inside this folder:
  sha256sum -c manifest.sha256        every listed file is present and unchanged
  sha256sum manifest.sha256           must equal the hash printed on every page of the form
  find . -type f | sed 's|^\\./||' | grep -vxF -e manifest.sha256 -e chain-of-custody.pdf | sort \\
    | diff - <(cut -c67- manifest.sha256 | sort)      no file was added
"""


@dataclass(frozen=True)
class ExportContext:
    """Who exports what, for whom, when: the facts the form and metadata repeat."""

    name: str
    agency: str
    case_number: str
    purpose_code: str
    purpose_label: str
    description: str
    recipient: str
    release_request: str
    exporter_name: str
    exporter_username: str
    role_title: str
    exporter_agency: str
    workstation_id: str
    host: str
    now: float
    policy: str
    statute: str
    custodian_title: str
    media: str
    log_anchor: tuple[int, str]     # the access log's last entry when the package was made

    @classmethod
    def of(cls, ws, session: Session, name: str, description: str, recipient: str,
           release_request: str, media: str) -> ExportContext:
        p = ws.profile
        return cls(name, p.agency, session.case_number or "", session.purpose or "",
                   p.purpose(session.purpose).label if session.purpose else "", description,
                   recipient, release_request, session.user.full_name, session.user.username,
                   p.role(session.user.role).title, session.user.agency, ws.store.store_id,
                   socket.gethostname(), ws.clock(), p.policy_reference, p.statute, p.custodian_title,
                   media, ws.log_anchor())

    def header(self) -> dict:
        return {"format": FORMAT, "name": self.name, "agency": self.agency,
                "case_number": self.case_number,
                "purpose": {"code": self.purpose_code, "label": self.purpose_label},
                "description": self.description, "recipient": self.recipient,
                "release_request": self.release_request,
                "exported_by": {"name": self.exporter_name, "username": self.exporter_username,
                                "role": self.role_title, "agency": self.exporter_agency},
                "workstation_id": self.workstation_id, "host": self.host,
                "created_utc": utc_iso(self.now), "created_local": local_label(self.now),
                "policy": self.policy, "statute": self.statute,
                "log_anchor": {"seq": self.log_anchor[0], "hash": self.log_anchor[1]}}

    def custody(self, title: str, manifest_sha256: str, summary: str, hold_note: str) -> CustodyInfo:
        return CustodyInfo(
            title, self.agency, self.case_number, f"{self.purpose_code}: {self.purpose_label}",
            self.description, self.recipient, self.release_request,
            f"{self.exporter_name} ({self.exporter_username})", self.role_title,
            self.exporter_agency, self.workstation_id, self.host, utc_iso(self.now),
            local_label(self.now), self.policy, self.statute, self.custodian_title, self.name,
            self.media, manifest_sha256, summary, hold_note,
            f"{self.log_anchor[0]}:{self.log_anchor[1]}")


def _image_loader(sha: str, what: str):
    def load(read: Reader) -> bytes:
        row = read("SELECT data FROM images WHERE sha256 = ?", (packed(sha),))
        if row is None:
            raise ExportError(f"{what} is no longer in the store (purged during the export?).")
        return bytes(row[0])
    return load


def _derived_loader(read_id: int, sha: str, box: list[int], what: str):
    load_scene = _image_loader(sha, what)
    return lambda read: derived.outline_plate(read_id, load_scene(read), box)


def evidence_files(data: Collected, ctx: ExportContext,
                   include_derived: bool) -> list[PackageFile]:
    files: list[PackageFile] = []
    for r in data.reads:
        rid = r.row["id"]
        for img in r.images:
            what = f"The {img.kind} image of read {rid}"
            files.append(PackageFile(img.path, img.size, _image_loader(img.sha256, what),
                                     img.sha256, what))
            if include_derived and img.kind == "scene" and r.row["plate_box"]:
                r.derived.append(derived.describe(rid, img.path, img.sha256))
                files.append(PackageFile(derived.outline_path(rid), img.size * 4, _derived_loader(
                    rid, img.sha256, json.loads(r.row["plate_box"]), what)))
    generated = {"reads.csv": reads_csv(data), "metadata.json": metadata_json(ctx.header(), data),
                 "access_log.csv": access_log_csv(data.log_entries),
                 "README.txt": README.format(name=ctx.name, agency=ctx.agency,
                                             case=ctx.case_number).encode("utf-8")}
    files += [PackageFile(path, len(b), (lambda _read, b=b: b), hashlib.sha256(b).hexdigest())  # type: ignore[misc]  # a default argument binds each file's bytes
              for path, b in generated.items()]
    return files


def summary(data: Collected, entries: list[ManifestEntry]) -> str:
    originals = sum(len(r.images) for r in data.reads)
    derived_n = sum(len(r.derived) for r in data.reads)
    other = data.other_cases
    counted = (f" ({other.entries} more under {other.cases} other case{'s' if other.cases != 1 else ''}"
               f"{f' and {other.without_case} without a case' if other.without_case else ''}, "
               "counted only)" if other.entries else
               f" ({other.without_case} more without a case, counted only)" if other.without_case else "")
    return (f"{len(data.reads)} reads, {originals} original images, {derived_n} derived images, "
            f"{len(data.log_entries)} access-log entr{'y' if len(data.log_entries) == 1 else 'ies'} "
            f"of this case{counted}; {len(entries)} files, "
            f"{sum(e.size for e in entries):,} bytes")
