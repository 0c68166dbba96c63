"""Scene photos with a plate in them, drawn with OpenCV: a car's rear, a California-style
plate warped by perspective, blur, noise and the light of the hour. Fast (a few ms each),
so the demo can make thousands."""
from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SCENE_W, SCENE_H = 640, 360
PLATE_W, PLATE_H = 240, 120
JPEG = [int(cv2.IMWRITE_JPEG_QUALITY), 72]
PLATE_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"     # fonts-dejavu-core
# Sensor noise tiles, made once: drawing fresh Gaussian noise per photo would dominate the time.
_NOISE = [(np.abs(g.normal(0, 6, (SCENE_H, SCENE_W, 3))).astype(np.uint8),
           np.abs(g.normal(0, 6, (SCENE_H, SCENE_W, 3))).astype(np.uint8))
          for g in (np.random.default_rng(seed) for seed in range(6))]


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(PLATE_FONT, 96)


@lru_cache(maxsize=4096)
def _characters(text: str) -> np.ndarray:
    """The main line as an alpha mask: a bold sans face narrowed to a plate's proportions."""
    font = _font()
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(canvas).text((4 - left, 4 - top), text, font=font, fill=255)
    width = min(PLATE_W - 24, int(30 * len(text)))
    return cv2.resize(np.asarray(canvas), (width, 58), interpolation=cv2.INTER_AREA)


def plate_face(text: str, state: str = "California") -> np.ndarray:
    """The plate as printed: white, blue border, red state name, dark blue characters."""
    img = np.full((PLATE_H, PLATE_W, 3), 245, np.uint8)
    cv2.rectangle(img, (3, 3), (PLATE_W - 4, PLATE_H - 4), (120, 60, 20), 3)
    (tw, _), _ = cv2.getTextSize(state, cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 0.9, 2)
    cv2.putText(img, state, ((PLATE_W - tw) // 2, 32), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 0.9,
                (40, 30, 200), 2, cv2.LINE_AA)
    chars = _characters(text)
    h, w = chars.shape
    x0, y0 = (PLATE_W - w) // 2, 44
    region = img[y0:y0 + h, x0:x0 + w]
    ink = np.array((90, 30, 10), np.float32)
    alpha = (chars.astype(np.float32) / 255.0)[..., None]
    img[y0:y0 + h, x0:x0 + w] = (region * (1 - alpha) + ink * alpha).astype(np.uint8)
    return img


def scene(text: str, rng: np.random.Generator, hour: int, state: str = "California"
          ) -> tuple[bytes, bytes, list[int]]:
    """(scene JPEG, plate crop JPEG, plate box [x, y, w, h]) for one passing vehicle."""
    img = np.empty((SCENE_H, SCENE_W, 3), np.uint8)
    img[:] = (95, 95, 100)
    img[: SCENE_H // 3] = (170, 150, 120)                              # sky/trees band
    cx = int(rng.integers(180, SCENE_W - 180))
    car_w, car_h = int(rng.integers(260, 330)), int(rng.integers(150, 190))
    x0, y0 = cx - car_w // 2, SCENE_H - car_h - int(rng.integers(10, 40))
    color = tuple(int(c) for c in rng.integers(20, 230, 3))
    cv2.rectangle(img, (x0, y0), (x0 + car_w, y0 + car_h), color, -1)
    cv2.rectangle(img, (x0 + 25, y0 - 55), (x0 + car_w - 25, y0), tuple(int(c * 0.8) for c in color), -1)
    cv2.rectangle(img, (x0 + 40, y0 - 45), (x0 + car_w - 40, y0 - 5), (60, 50, 40), -1)   # rear window
    for lx in (x0 + 8, x0 + car_w - 48):
        cv2.rectangle(img, (lx, y0 + 20), (lx + 40, y0 + 45), (30, 30, 200), -1)          # tail lights
    pw = int(rng.integers(110, 140))
    ph = pw // 2
    px, py = cx - pw // 2, y0 + car_h // 2 - ph // 2 + 10
    skew = rng.uniform(-0.12, 0.12) * pw
    dst = np.float32([[px + skew, py], [px + pw + skew * 0.3, py + skew * 0.1],
                      [px + pw, py + ph], [px, py + ph - skew * 0.1]])
    src = np.float32([[0, 0], [PLATE_W, 0], [PLATE_W, PLATE_H], [0, PLATE_H]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    face = plate_face(text, state)
    warped = cv2.warpPerspective(face, matrix, (SCENE_W, SCENE_H))
    mask = cv2.warpPerspective(np.full((PLATE_H, PLATE_W), 255, np.uint8), matrix, (SCENE_W, SCENE_H))
    img = cv2.copyTo(warped, mask, img)
    light = 1.0 if 7 <= hour <= 18 else 0.45 if hour in (5, 6, 19, 20) else 0.3
    img = cv2.convertScaleAbs(img, alpha=light, beta=0)
    k = int(rng.choice([1, 3, 3, 5]))
    if k > 1:
        img = cv2.GaussianBlur(img, (k, k), 0)
    noise = _NOISE[int(rng.integers(len(_NOISE)))]
    img = cv2.add(img, noise[0]) if light == 1.0 else cv2.add(cv2.add(img, noise[0]), noise[0])
    img = cv2.subtract(img, noise[1])
    bx, by, bw, bh = cv2.boundingRect(dst.astype(np.int32))
    bx, by = max(bx, 0), max(by, 0)
    bw, bh = min(bw, SCENE_W - bx), min(bh, SCENE_H - by)
    crop = img[max(by - 6, 0): by + bh + 6, max(bx - 6, 0): bx + bw + 6]
    crop = cv2.resize(crop, (PLATE_W, int(PLATE_W * crop.shape[0] / crop.shape[1])))
    ok1, scene_jpg = cv2.imencode(".jpg", img, JPEG)
    ok2, crop_jpg = cv2.imencode(".jpg", crop, JPEG)
    assert ok1 and ok2
    return scene_jpg.tobytes(), crop_jpg.tobytes(), [int(bx), int(by), int(bw), int(bh)]
