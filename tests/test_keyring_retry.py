"""A keyring daemon that exits mid-call costs that call, not the user's work: the call is made
once more (the session bus starts a new daemon on the next request). A keyring that refuses
twice is reported in a sentence."""
from __future__ import annotations

import keyring
import keyring.backend
import keyring.errors
import pytest

from app.engine import keys
from app.engine.errors import KeyringError


class FlakyKeyring(keyring.backend.KeyringBackend):
    """Fails its first ``failures`` calls the way secretstorage does when the daemon quits."""
    priority = 1  # type: ignore[assignment]

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures, self.calls, self.kept = failures, 0, {}

    def _call(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise keyring.errors.KeyringError(
                "Failed to create the collection: Message recipient disconnected from message bus "
                "without replying.")

    def get_password(self, service, username):
        self._call()
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self._call()
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        self.kept.pop((service, username), None)


@pytest.fixture
def flaky(monkeypatch):
    def install(failures: int) -> FlakyKeyring:
        backend = FlakyKeyring(failures)
        monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
        monkeypatch.setattr(keys, "RETRY_AFTER_S", 0)
        return backend
    return install


def test_one_dropped_call_is_made_again_and_the_secret_is_kept(flaky):
    backend = flaky(1)
    keys.set_secret("device-secret/x", "abc")
    assert backend.kept == {(keys.SERVICE, "device-secret/x"): "abc"} and backend.calls == 2
    backend.failures = 3
    assert keys.get_secret("device-secret/x") == "abc"


def test_a_keyring_that_refuses_twice_is_reported_in_a_sentence(flaky):
    backend = flaky(2)
    with pytest.raises(KeyringError, match="refused to keep the secret 'device-secret/x'"):
        keys.set_secret("device-secret/x", "abc")
    assert backend.kept == {} and backend.calls == 2
    backend.calls, backend.failures = 0, 2
    with pytest.raises(KeyringError, match="refused to give the secret"):
        keys.get_secret("device-secret/x")
