"""Turning untrusted bytes into a BGR image, or one clear refusal.

Why so careful: images come from witnesses, camera drops and e-mail; a truncated file, a
text file renamed .jpg or a 100 000 x 100 000 'decompression bomb' must give a sentence the
GUI can show (``BadImage``), never a crash or an exhausted machine.
"""
from __future__ import annotations

import io
import warnings

import cv2
import numpy as np
from PIL import Image

from ..errors import BadImage

MAX_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000
SUPPORTED = {"JPEG", "PNG", "BMP", "TIFF", "WEBP", "PPM", "JPEG2000"}


def decode_image(data: bytes) -> np.ndarray:
    """Decode image file bytes to a BGR uint8 array; raise BadImage with a reason otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise BadImage(f"Expected image file bytes, got {type(data).__name__}.")
    data = bytes(data)
    if not data:
        raise BadImage("The image is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise BadImage(f"The image file is too large ({len(data) / 1e6:.0f} MB; "
                       f"the limit is {MAX_BYTES // (1024 * 1024)} MB).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as probe:  # reads the header only
                fmt, (w, h) = probe.format, probe.size
    except Image.DecompressionBombError:
        raise BadImage(f"The image is too large (more than {MAX_PIXELS // 1_000_000} "
                       "megapixels).") from None
    except Exception:
        raise BadImage("The file is not an image in a supported format "
                       "(JPEG, PNG, BMP, TIFF or WebP).") from None
    if fmt not in SUPPORTED:
        raise BadImage(f"{fmt} images are not supported; use JPEG, PNG, BMP, TIFF or WebP.")
    if w <= 0 or h <= 0:
        raise BadImage("The image has no pixels.")
    if w * h > MAX_PIXELS:
        raise BadImage(f"The image is too large ({w} x {h} pixels; the limit is "
                       f"{MAX_PIXELS // 1_000_000} megapixels).")
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None or img.size == 0:
        raise BadImage("The image file is corrupt or truncated and cannot be decoded.")
    return img


def as_bgr(image: bytes | bytearray | np.ndarray) -> np.ndarray:
    """Accept file bytes or an array (grey, BGR or BGRA) and return a BGR uint8 image."""
    if isinstance(image, np.ndarray):
        if image.size == 0 or image.ndim not in (2, 3):
            raise BadImage("The image array is empty or not two-dimensional.")
        if image.ndim == 3 and image.shape[2] not in (1, 3, 4):
            raise BadImage(f"The image array has {image.shape[2]} channels; expected 1, 3 or 4.")
        if image.shape[0] * image.shape[1] > MAX_PIXELS:
            raise BadImage(f"The image is too large ({image.shape[1]} x {image.shape[0]} "
                           f"pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels).")
        img = image
        if img.dtype != np.uint8:
            img = np.clip(img, 0, 255).astype(np.uint8)
        if img.ndim == 2 or img.shape[2] == 1:
            return cv2.cvtColor(img.reshape(img.shape[:2]), cv2.COLOR_GRAY2BGR)
        if img.shape[2] == 4:
            return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
        return img
    return decode_image(image)  # type: ignore[arg-type]  # decode_image reads any buffer
