"""Whose entries a reviewer may see: everyone's (audit_view), or only their own staff's.

LA Metro's policy section 6 makes audits "available for authorized users to view the actions
of their staff". A supervisor's role grants ``audit_team`` without ``audit_view``; the engine,
not the window, narrows every entry a review reads, lists or prints to the users whose
``users.supervisor_id`` names that supervisor. An empty staff sees nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound, ValidationError


@dataclass(frozen=True)
class Scope:
    owner: str | None                     # the supervisor of a team scope; None: everyone
    users: frozenset[str] | None          # the staff (None: everyone)

    def sql(self, column: str = "username") -> tuple[str, list]:
        """A condition limiting ``access_log`` rows to this scope ('1' for everyone)."""
        if self.users is None:
            return "1", []
        return f"{column} IN ({','.join('?' * len(self.users))})", sorted(self.users)

    def describe(self) -> str:
        if self.users is None:
            return "every user"
        names = ", ".join(sorted(self.users)) or "nobody yet"
        return f"the staff of {self.owner} ({names})"


EVERYONE = Scope(None, None)


def staff_of(conn, supervisor: str) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute(
        "SELECT u.username FROM users u JOIN users s ON s.id = u.supervisor_id WHERE s.username = ?",
        (supervisor,)))


def set_supervisor(conn, username: str, supervisor: str | None, may_supervise) -> tuple[str, str | None]:
    """Record (or, with None, remove) who supervises ``username``; returns the names as stored.

    ``may_supervise(role)`` says whether a role can review staff at all; a supervisor whose
    role cannot would be named for nothing, and a circle (A supervises B supervises A) would
    let each see the other's entries, so both are refused."""
    user = conn.execute("SELECT id, username FROM users WHERE username = ?",
                        (username.strip().lower(),)).fetchone()
    if user is None:
        raise NotFound(f"No user {username!r}.")
    if supervisor is None or not supervisor.strip():
        conn.execute("UPDATE users SET supervisor_id = NULL WHERE id = ?", (user[0],))
        return user[1], None
    sup = conn.execute("SELECT id, username, role FROM users WHERE username = ?",
                       (supervisor.strip().lower(),)).fetchone()
    if sup is None:
        raise NotFound(f"No user {supervisor!r} to be the supervisor.")
    if sup[0] == user[0]:
        raise ValidationError("Nobody supervises themselves.")
    if not may_supervise(sup[2]):
        raise ValidationError(f"{sup[1]}'s role ({sup[2]}) cannot review staff (it grants neither "
                              "audit_team nor audit_view), so naming them supervisor would do nothing.")
    above = sup[0]
    while above is not None:
        if above == user[0]:
            raise ValidationError(f"{user[1]} already supervises {sup[1]}, directly or through "
                                  "others; a circle of supervisors is refused.")
        above = conn.execute("SELECT supervisor_id FROM users WHERE id = ?", (above,)).fetchone()[0]
    conn.execute("UPDATE users SET supervisor_id = ? WHERE id = ?", (sup[0], user[0]))
    return user[1], sup[1]
