"""The locator network: four conv blocks and a small head, about 0.3 M parameters.

Why this small: it runs on every proposal of every photo (dozens), on the CPU, and only has
to tell a plate's bright rectangle of characters from other texture and say where it sits.
"""
from __future__ import annotations

import torch
from torch import nn

from .locator import WIN_H, WIN_W


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
            nn.ReLU(True), nn.MaxPool2d(2)]


class LocatorNet(nn.Module):
    """Grey WIN_H x WIN_W window in; (plate logit, dx, dy, log width ratio) out."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(*_block(1, 16), *_block(16, 32), *_block(32, 64),
                                      *_block(64, 64))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * (WIN_H // 16) * (WIN_W // 16), 128),
                                  nn.ReLU(True), nn.Dropout(0.2), nn.Linear(128, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))
