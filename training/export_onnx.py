"""Export the trained networks (resources/ocr/*.pt) to the ONNX graphs the workstation runs.

    .venv/bin/python -m training.export_onnx            # both networks, checked
    .venv/bin/python -m training.export_onnx --only crnn

Needs the ``train`` extra (torch) and ``onnx``; the workstation itself needs only
``onnxruntime``. Run it after every training run: a test (tests/test_onnx_parity.py) fails
when a graph was not exported from the ``.pt`` beside it.

What it does, per network: loads the float16 ``.pt`` into float32 (as the networks were
always run), exports it with a free batch size (input ``image``, float32 (N, 1, H, W)),
records the ``.pt``'s SHA-256 in the graph's metadata, then runs the graph with ONNX Runtime
and the ``.pt`` with PyTorch on the same batch of real plate crops and photo windows (or
noise when the datasets are absent) and refuses to keep a graph whose outputs differ by more
than ``--tolerance``. The export is deterministic: the same ``.pt`` gives the same file.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("ALPR_DATASETS", ROOT.parent / "shared" / "datasets"))
RESOURCES = ROOT / "resources" / "ocr"
OPSET = 17


@dataclass(frozen=True)
class Spec:
    kind: str            # training.nets.NETS key
    stem: str            # resources/ocr/<stem>.pt -> <stem>.onnx
    shape: tuple[int, int]
    output: str
    batch_axis: int      # the output axis that follows the input batch


SPECS = {
    "crnn": Spec("crnn", "plate_crnn", (40, 128), "logits", 1),       # (T, N, classes)
    "locator": Spec("locator", "plate_locator", (64, 128), "scores", 0),  # (N, 4)
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sample_batch(spec: Spec, n: int = 48) -> np.ndarray:
    """Real inputs, prepared as the workstation prepares them: development crops for the
    recogniser, windows around development photos' proposals for the locator; noise only
    when the datasets are absent."""
    import cv2

    from app.engine.ocr.detect import propose
    from app.engine.ocr.locator import cut, window_for
    from app.engine.ocr.recognizer import prepare, standardise
    from app.engine.ocr.samples import load_samples

    out: list[np.ndarray] = []
    if spec.kind == "crnn" and (DATASETS / "openalpr-us-crops" / "dev").is_dir():
        for s in load_samples(DATASETS / "openalpr-us-crops" / "dev")[:n]:
            gray = cv2.imread(str(s.path), cv2.IMREAD_GRAYSCALE)
            if gray is not None:
                out.append(prepare(gray))
    elif spec.kind == "locator" and (DATASETS / "openalpr-us" / "dev").is_dir():
        for s in load_samples(DATASETS / "openalpr-us" / "dev")[:8]:
            bgr = cv2.imread(str(s.path))
            if bgr is None:
                continue
            gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
            out += [standardise(cut(gray, window_for(p.box))) for p in propose(bgr)[:6]]
    if not out:
        rng = np.random.default_rng(0)
        out = [rng.standard_normal(spec.shape).astype(np.float32) for _ in range(n)]
    return np.stack(out)[:, None].astype(np.float32)


def export(spec: Spec, src: Path, dst: Path, tolerance: float) -> float:
    """Export ``src`` to ``dst``; returns the largest output difference from PyTorch."""
    import onnx
    import torch

    from app.engine.ocr.weights import OnnxModel
    from training.nets import TorchModel, load_weights

    model = load_weights(spec.kind, src)
    dummy = torch.zeros((2, 1, *spec.shape), dtype=torch.float32)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # the GRU warns that its initial state might keep the dummy batch size; it does not
        # (it is made from the input's shape), and the check below runs batches of 1 and many
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (dummy,), buf, dynamo=False, opset_version=OPSET, do_constant_folding=True,
            input_names=["image"], output_names=[spec.output],
            dynamic_axes={"image": {0: "batch"}, spec.output: {spec.batch_axis: "batch"}})
    graph = onnx.load_from_string(buf.getvalue())
    graph.doc_string = f"{spec.stem}: exported from {src.name} by training/export_onnx.py"
    for key, value in {"source": src.name, "source_sha256": sha256(src),
                       "input": f"float32 (N, 1, {spec.shape[0]}, {spec.shape[1]})"}.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(graph)

    tmp = dst.with_suffix(".onnx.tmp")
    tmp.write_bytes(graph.SerializeToString())
    batch = sample_batch(spec)
    graph_run, torch_run = OnnxModel(tmp), TorchModel(model)
    worst = 0.0
    for part in (batch, batch[:1], batch[1:4]):
        ours, theirs = graph_run.run(part), torch_run.run(part)
        diff = float(np.abs(ours - theirs).max()) if ours.shape == theirs.shape else np.inf
        if not diff <= tolerance:
            tmp.unlink()
            raise SystemExit(f"{dst.name}: ONNX Runtime and PyTorch differ by {diff:.2e} on a "
                             f"batch of {len(part)} (shapes {ours.shape} and {theirs.shape}); "
                             "graph not kept.")
        worst = max(worst, diff)
    os.replace(tmp, dst)
    return worst


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", choices=sorted(SPECS), help="export one network")
    ap.add_argument("--weights-dir", type=Path, default=RESOURCES,
                    help="folder of the .pt files; the .onnx files are written beside them")
    ap.add_argument("--tolerance", type=float, default=1e-3,
                    help="largest output difference from PyTorch accepted")
    args = ap.parse_args(argv)
    for name, spec in SPECS.items():
        if args.only and name != args.only:
            continue
        src = args.weights_dir / f"{spec.stem}.pt"
        dst = args.weights_dir / f"{spec.stem}.onnx"
        diff = export(spec, src, dst, args.tolerance)
        print(f"{dst.relative_to(ROOT) if dst.is_relative_to(ROOT) else dst}: "
              f"{dst.stat().st_size / 1e6:.2f} MB, from {src.name} "
              f"({src.stat().st_size / 1e6:.2f} MB), largest difference from PyTorch {diff:.1e}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
