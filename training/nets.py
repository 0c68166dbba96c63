"""The PyTorch definitions of our two networks, for training and for the ONNX export.

Why here and not in ``app/``: the workstation runs the networks with ONNX Runtime from the
exported graphs in ``resources/ocr/*.onnx`` and never imports torch; PyTorch (the ``train``
extra) is needed only to train them, export them, and check the export (``TorchModel``
runs a ``.pt`` through the same pre- and post-processing as the workstation).

- ``PlateCRNN``: convolutions + bidirectional GRU + CTC head; reads a whole plate crop
  (trained by ``training/train_crnn.py``; < 2 MB of weights, a few ms per crop).
- ``LocatorNet``: four conv blocks and a small head, about 0.3 M parameters; scores a window
  around a plate proposal and says where the plate's 2:1 box is (``training/train_locator.py``).
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import torch
from torch import nn

from app.engine.ocr.locator import WIN_H, WIN_W
from app.engine.ocr.plates import ALPHABET
from app.engine.ocr.recognizer import INPUT_HEIGHT, INPUT_WIDTH

__all__ = ["ALPHABET", "INPUT_HEIGHT", "INPUT_WIDTH", "LocatorNet", "PlateCRNN", "TorchModel",
           "load_weights"]


def _crnn_block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True)]


class HeightMean(nn.Module):
    """Average over the feature map's height (what ``AdaptiveAvgPool2d((1, None))`` did; a
    plain mean exports to ONNX, adaptive pooling with a free width does not). No weights."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=2, keepdim=True)


class PlateCRNN(nn.Module):
    """Grey INPUT_HEIGHT x INPUT_WIDTH crop in, per-column class scores (T=32, N, 37) out."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *_crnn_block(1, 16), nn.MaxPool2d(2),       # 20 x 64
            *_crnn_block(16, 32), nn.MaxPool2d(2),      # 10 x 32
            *_crnn_block(32, 64), *_crnn_block(64, 64),
            nn.MaxPool2d((2, 1)),                       # 5 x 32
            *_crnn_block(64, 128),
            HeightMean(),                               # 1 x 32
            nn.Dropout(0.2),
        )
        self.rnn = nn.GRU(128, 96, bidirectional=True, batch_first=False)
        self.head = nn.Linear(192, len(ALPHABET) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x).squeeze(2)        # N, C, T
        f = f.permute(2, 0, 1)                 # T, N, C
        out, _ = self.rnn(f)
        return self.head(out)                  # T, N, classes (logits)


def _locator_block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
            nn.ReLU(True), nn.MaxPool2d(2)]


class LocatorNet(nn.Module):
    """Grey WIN_H x WIN_W window in; (plate logit, dx, dy, log width ratio) out."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(*_locator_block(1, 16), *_locator_block(16, 32),
                                      *_locator_block(32, 64), *_locator_block(64, 64))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * (WIN_H // 16) * (WIN_W // 16), 128),
                                  nn.ReLU(True), nn.Dropout(0.2), nn.Linear(128, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


NETS: dict[str, type[nn.Module]] = {"crnn": PlateCRNN, "locator": LocatorNet}


def load_weights(kind: str, path: Path) -> nn.Module:
    """A network of ``kind`` ("crnn" or "locator") filled from a float16 ``.pt`` state dict,
    in float32 and evaluation mode (how the weights were always run)."""
    model = NETS[kind]()
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval()


class TorchModel:
    """A PyTorch network behind the interface of ``app.engine.ocr.weights.OnnxModel``
    (``available``, ``loaded``, ``run``), so the workstation's recogniser and locator can run
    it unchanged: the training scripts measure a network in training this way, and the ONNX
    parity test and ``bench/ocr.py`` compare the ``.pt`` with its export."""

    def __init__(self, model: nn.Module | None = None, *, kind: str = "", path: Path | None = None
                 ) -> None:
        self._model = model
        self._kind, self._path = kind, path
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self._model is not None or (self._path is not None and self._path.is_file())

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def module(self) -> nn.Module:
        with self._lock:
            if self._model is None:
                assert self._path is not None
                self._model = load_weights(self._kind, self._path)
        return self._model

    def run(self, batch: np.ndarray) -> np.ndarray:
        """The network's raw output for a float32 (N, 1, H, W) batch, as a NumPy array."""
        model = self.module()
        was_training = model.training
        model.eval()
        try:
            with torch.inference_mode():
                return model(torch.from_numpy(np.ascontiguousarray(batch, np.float32))).numpy()
        finally:
            model.train(was_training)
