"""Our small networks' weight files, loaded once, lazily, under a lock.

Why one holder: the recogniser and the locator are read from GUI worker threads; two
threads asking at once must not load a model twice, and torch must not be imported until a
model is first used (the engine imports without it). Weights ship as float16 to stay small.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path


class LazyWeights:
    """A model built by ``factory`` and filled from ``path`` on the first :meth:`model` call."""

    def __init__(self, path: Path, factory: Callable[[], object]) -> None:
        self._path = path
        self._factory = factory
        self._model = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """True when the weight file ships with this copy of the application."""
        return self._path.is_file()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def model(self):
        """The model in evaluation mode (loads it on the first call: about a second)."""
        with self._lock:
            if self._model is None:
                import torch

                model = self._factory()
                state = torch.load(self._path, map_location="cpu", weights_only=True)
                model.load_state_dict({k: v.float() for k, v in state.items()})
                model.eval()
                self._model = model
        return self._model
