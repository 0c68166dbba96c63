"""Typed errors of the engine.

Every refusal the engine makes is one of these, so the command line and the GUI can turn
it into one clear sentence (``str(err)``) without knowing where it came from.
"""


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class StoreError(EngineError):
    """The encrypted store cannot be opened or used (missing key, damaged file, ...)."""


class KeyringError(StoreError):
    """No secure OS keyring is available, so no secret can be kept."""


class AuthError(EngineError):
    """A login or password operation was refused."""


class AccountLocked(AuthError):
    """Too many failed attempts; an administrator unlocks or it clears after a time."""


class PasswordRejected(AuthError):
    """A new password breaks one of the password rules."""


class SecondFactorRequired(AuthError):
    """The password was right but a one-time code is still needed."""


class SessionLocked(AuthError):
    """The session was idle too long and must be unlocked."""


class PermissionDenied(EngineError):
    """The user's role does not grant the action."""


class TrainingRequired(PermissionDenied):
    """The user has no current ALPR training, so ALPR data stays closed (Calabasas IV(d))."""


class PurposeRequired(EngineError):
    """A search or view was attempted without a valid purpose and case number."""


class AuditLogError(EngineError):
    """The access log could not be written; the engine returns no data (fail closed)."""


class ValidationError(EngineError):
    """An argument from the user is malformed (bad plate pattern, date, ...)."""


class NotFound(EngineError):
    """The asked-for record does not exist (or is no longer held locally)."""


class BadImage(EngineError):
    """An image is corrupt, empty, too large or of an unsupported format."""


class Interrupted(EngineError):
    """Long work was cancelled by the user; the GUI shows this silently."""


class SyncError(EngineError):
    """The city server could not be reached or answered wrongly; the local store is unchanged."""


class ImageOffline(NotFound):
    """An image is not in the local cache and the city server cannot be reached to fetch it."""


class ImageMismatch(SyncError):
    """The city server sent an image that is not the one recorded at ingest (or none)."""


class ExportError(EngineError):
    """An evidence package could not be written or verified; it is not complete."""


class ReleaseRefused(PermissionDenied):
    """A release to another agency lacks an approved written request or is not lawful."""


class LogTampered(AuditLogError):
    """The access log's head or chain shows tampering; the store writes and returns nothing."""


class StoreSealed(AuthError):
    """The store is closed until someone logs in: only a personal login opens ALPR data."""


class TamperDetected(SyncError):
    """At sync, the local access log disagrees with what the city server anchored."""


class FileWriteError(EngineError):
    """A report or other file of ALPR data could not be written; nothing of it was kept."""
