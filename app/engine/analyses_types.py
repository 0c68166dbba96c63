"""What the investigative analyses take and return.

Each query is a frozen dataclass whose ``to_log()`` is exactly what the access log records
as the data elements used (Civil Code 1798.90.52); each result knows the read ids it shows,
so the log names every read returned to the user.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from .search import ReadRow

LOCAL_TZ = ZoneInfo("America/Los_Angeles")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def local_time(ts: int) -> datetime:
    """A read time (Unix seconds UTC) in the city's local time, as investigators think of it."""
    return datetime.fromtimestamp(ts, LOCAL_TZ)


@dataclass(frozen=True)
class Place:
    """One location of a stakeout: cameras and/or sites, watched over [start, end)."""

    start: int
    end: int
    cameras: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    label: str = ""

    def name(self, index: int) -> str:
        return self.label or ", ".join(self.cameras + self.sites) or f"Place {index + 1}"


@dataclass(frozen=True)
class StakeoutQuery:
    places: tuple[Place, ...]
    min_places: int = 2
    limit: int = 1000                   # most plates returned (busy windows can match many)

    def to_log(self) -> dict:
        return {"analysis": "stakeout", "min_places": self.min_places, "limit": self.limit,
                "places": [{**asdict(p), "cameras": list(p.cameras), "sites": list(p.sites)}
                           for p in self.places]}


@dataclass(frozen=True)
class LocateQuery:
    plate: str
    start: int | None = None
    end: int | None = None

    def to_log(self) -> dict:
        return {"analysis": "locate", **asdict(self)}


@dataclass(frozen=True)
class ConvoyQuery:
    plate: str
    start: int
    end: int
    window_s: int = 60                  # a companion read within this many seconds of the target
    min_cameras: int = 2                # ... at this many different cameras or more
    limit: int = 200

    def to_log(self) -> dict:
        return {"analysis": "convoy", **asdict(self)}


@dataclass(frozen=True)
class CloneQuery:
    start: int
    end: int
    max_kmh: float = 160.0              # fastest plausible travel between two cameras
    slack_s: int = 60                   # camera clocks differ; added to the time between reads
    plate: str = ""                     # optional: check one plate only
    limit: int = 500

    def to_log(self) -> dict:
        return {"analysis": "clones", **asdict(self)}


@dataclass(frozen=True)
class CameraMapQuery:
    start: int | None = None
    end: int | None = None

    def to_log(self) -> dict:
        return {"analysis": "camera_map", **asdict(self)}


@dataclass(frozen=True)
class StakeoutPlate:
    plate: str
    places: tuple[int, ...]             # indexes into the query's places where it was seen
    reads: tuple[ReadRow, ...]


@dataclass(frozen=True)
class StakeoutResult:
    query: StakeoutQuery
    plates: list[StakeoutPlate]
    truncated: bool

    kind = "stakeout"

    @property
    def read_ids(self) -> list[int]:
        return [r.id for p in self.plates for r in p.reads]


@dataclass(frozen=True)
class CameraCount:
    camera_id: str
    name: str
    site: str
    count: int
    last_at: int


@dataclass(frozen=True)
class LocateResult:
    query: LocateQuery
    cameras: list[CameraCount]          # most reads first
    by_hour: tuple[int, ...]            # 24 counts, local hour of day
    by_weekday: tuple[int, ...]         # 7 counts, Monday first
    reads: list[ReadRow]                # newest first; reads[0] is the last sighting

    kind = "locate"

    @property
    def last(self) -> ReadRow | None:
        return self.reads[0] if self.reads else None

    @property
    def read_ids(self) -> list[int]:
        return [r.id for r in self.reads]


@dataclass(frozen=True)
class Companion:
    plate: str
    times: int                          # target reads it was seen with
    cameras: tuple[str, ...]
    reads: tuple[ReadRow, ...]


@dataclass(frozen=True)
class ConvoyResult:
    query: ConvoyQuery
    target_reads: list[ReadRow]
    companions: list[Companion]         # ranked: most often first

    kind = "convoy"

    @property
    def read_ids(self) -> list[int]:
        return [r.id for r in self.target_reads] + [r.id for c in self.companions for r in c.reads]


@dataclass(frozen=True)
class CloneFlag:
    plate: str
    first: ReadRow
    second: ReadRow
    distance_km: float
    seconds: int
    speed_kmh: float                    # implied speed; inf when both reads share a second


@dataclass(frozen=True)
class CloneResult:
    query: CloneQuery
    flags: list[CloneFlag]              # fastest implied speed first
    truncated: bool
    cameras_without_coordinates: list[str] = field(default_factory=list)

    kind = "clones"

    @property
    def read_ids(self) -> list[int]:
        return [r.id for f in self.flags for r in (f.first, f.second)]


@dataclass(frozen=True)
class CameraVolume:
    camera_id: str
    name: str
    site: str
    lat: float | None
    lon: float | None
    direction: str | None
    reads: int
    outages: tuple[tuple[int, int | None, str], ...] = ()   # (from, to or None: still, why) in the period


@dataclass(frozen=True)
class CameraMapResult:
    query: CameraMapQuery
    cameras: list[CameraVolume]

    kind = "camera_map"

    @property
    def total(self) -> int:
        return sum(c.reads for c in self.cameras)

    @property
    def read_ids(self) -> list[int]:
        return []                       # counts only: no read is shown


AnalysisResult = StakeoutResult | LocateResult | ConvoyResult | CloneResult | CameraMapResult
