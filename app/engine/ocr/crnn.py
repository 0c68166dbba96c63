"""A tiny CRNN (convolutions + bidirectional GRU + CTC) that reads a whole plate crop.

Why a model of our own: easyocr's English recogniser reads every line on a plate (state
name, slogan, stickers) and confuses plate glyphs; this network is trained on plates only,
so it learns to output just the main registration line. It is small (< 2 MB of weights) and
runs in a few milliseconds per crop on a CPU. The training script is ``training/train_crnn.py``.
"""
from __future__ import annotations

import torch
from torch import nn

from .plates import ALPHABET
from .recognizer import INPUT_HEIGHT, INPUT_WIDTH

__all__ = ["ALPHABET", "INPUT_HEIGHT", "INPUT_WIDTH", "PlateCRNN"]


def _block(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True)]


class PlateCRNN(nn.Module):
    """Grey INPUT_HEIGHT x INPUT_WIDTH crop in, per-column class scores (T=32, N, 37) out."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            *_block(1, 16), nn.MaxPool2d(2),            # 20 x 64
            *_block(16, 32), nn.MaxPool2d(2),           # 10 x 32
            *_block(32, 64), *_block(64, 64),
            nn.MaxPool2d((2, 1)),                       # 5 x 32
            *_block(64, 128),
            nn.AdaptiveAvgPool2d((1, None)),            # 1 x 32
            nn.Dropout(0.2),
        )
        self.rnn = nn.GRU(128, 96, bidirectional=True, batch_first=False)
        self.head = nn.Linear(192, len(ALPHABET) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x).squeeze(2)        # N, C, T
        f = f.permute(2, 0, 1)                 # T, N, C
        out, _ = self.rnn(f)
        return self.head(out)                  # T, N, classes (logits)
