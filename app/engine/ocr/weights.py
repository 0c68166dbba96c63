"""Our small networks, run with ONNX Runtime: each graph loaded once, lazily, under a lock.

Why ONNX Runtime: the workstation only runs the networks, and PyTorch with its CUDA
libraries is gigabytes that a CPU workstation never uses; ``onnxruntime`` is a few tens of
MB. The graphs in ``resources/ocr/*.onnx`` are exports of the trained ``.pt`` weights
(``training/export_onnx.py``); PyTorch is needed only to train and export them.

Why one holder per graph: the recogniser and the locator are read from GUI worker threads;
two threads asking at once must not load a graph twice, and onnxruntime is not imported
until a network is first used (the engine imports without it). An ONNX Runtime session may
be run from several threads at once.

Threads: the workstation is often a 2-core office PC that also draws the GUI, and our
batches are small (a few 40 x 128 crops), so a session uses half the cores, at most
``MAX_THREADS`` (one thread on 2 cores; ``ALPR_OCR_THREADS`` overrides it), runs its
operators one after another, and does not spin-wait between calls (spinning burns a core
the GUI needs). Measured on the busy 2-core development machine, one thread read crops and
photos as fast as two (bench/ocr.py --threads).
"""
from __future__ import annotations

import importlib.util
import os
import threading
from functools import cache
from pathlib import Path

import numpy as np

MAX_THREADS = 2


def intra_op_threads() -> int:
    """Threads one inference may use: ``ALPR_OCR_THREADS`` when set, else half the cores,
    between 1 and MAX_THREADS."""
    env = os.environ.get("ALPR_OCR_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(MAX_THREADS, (os.cpu_count() or 1) // 2))


@cache
def onnxruntime_installed() -> bool:
    """True when onnxruntime can be imported (checked without importing it)."""
    try:
        return importlib.util.find_spec("onnxruntime") is not None
    except (ImportError, ValueError):
        return False


class OnnxModel:
    """One ONNX graph at ``path``, opened on the first :meth:`run` (CPU execution provider).

    The graphs take a float32 (N, 1, H, W) batch named ``image`` and give one output; the
    batch size is free."""

    def __init__(self, path: Path, threads: int | None = None) -> None:
        self._path = path
        self._threads = threads
        self._session = None
        self._input = ""
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def available(self) -> bool:
        """True when the graph file ships with this copy of the application (and ONNX Runtime
        is installed to run it); the reader falls back without it, as without the file."""
        return self._path.is_file() and onnxruntime_installed()

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def session(self):
        """The ONNX Runtime session (created on the first call: a fraction of a second)."""
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                opts = ort.SessionOptions()
                opts.intra_op_num_threads = self._threads or intra_op_threads()
                opts.inter_op_num_threads = 1
                opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                opts.log_severity_level = 3          # warnings about unused initialisers: not ours
                session = ort.InferenceSession(str(self._path), sess_options=opts,
                                               providers=["CPUExecutionProvider"])
                self._input = session.get_inputs()[0].name
                self._session = session
        return self._session

    def run(self, batch: np.ndarray) -> np.ndarray:
        """The network's raw output for a float32 (N, 1, H, W) batch."""
        session = self.session()
        return session.run(None, {self._input: np.ascontiguousarray(batch, np.float32)})[0]
