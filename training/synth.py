"""Synthetic US-style licence plates and the augmentation shared with real crops.

Why synthetic plates: the development crops are too few (a few hundred) to teach a reader
every glyph, layout and colour; rendering thousands of plates with a state name, slogan,
stickers and a main registration line teaches the network to read only the main line.
Only fonts present on the machine are used (DejaVu family, found with ``fc-list``).
"""
from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
MAIN_FONTS = [
    "DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed.ttf", "DejaVuSans-Bold.ttf",
    "DejaVuSans.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf",
    "DejaVuSerifCondensed-Bold.ttf", "DejaVuSans-ExtraLight.ttf", "DejaVuSerif.ttf",
]
STATES = [
    "ALASKA", "Arizona", "California", "Connecticut", "DELAWARE", "Florida", "Georgia",
    "HAWAII", "Illinois", "INDIANA", "Louisiana", "Maryland", "Minnesota", "MISSOURI",
    "NEW YORK", "New Jersey", "NORTH CAROLINA", "Ohio", "OREGON", "PENNSYLVANIA", "TEXAS",
    "UTAH", "Vermont", "Virginia", "WASHINGTON", "WISCONSIN", "Wyoming", "KENTUCKY", "IOWA",
    "Kansas", "Michigan", "Nevada", "Oklahoma", "Tennessee", "COLORADO", "Idaho", "MAINE",
]
SLOGANS = [
    "Land of Lincoln", "Garden State", "Sportsman's Paradise", "THE EMPIRE STATE",
    "Grand Canyon State", "10,000 lakes", "America's Dairyland", "First in Flight",
    "Constitution State", "Green Mountain State", "Famous Potatoes", "The Natural State",
    "Live Free or Die", "Sunshine State", "dmv.ca.gov", "Explore", "Ocean State", "Centennial",
]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
PATTERNS = [
    "LLL NNNN", "LLLNNNN", "NLLL NNN", "NNN LLL", "LLL NNN", "NNN NNNN", "LL NNNNN",
    "NLL NNN", "LLN NNN", "NNNLLL", "LLL NNL", "NNN LNN", "LNN NNN", "NN NNNN", "LLNN LL",
    "NNNNN", "LLLLLL", "NNNN NN", "LL LNNN", "NLLNNN", "LLLLNNN", "NNLLNN",
]
_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    key = (name, size)
    if key not in _font_cache:
        _font_cache[key] = ImageFont.truetype(f"{FONT_DIR}/{name}", size)
    return _font_cache[key]


def random_plate_text(rng: random.Random) -> tuple[str, str]:
    """Return (label, rendered) where rendered keeps the group separators."""
    if rng.random() < 0.1:
        n = rng.randint(2, 8)
        s = "".join(rng.choice(LETTERS + DIGITS) for _ in range(n))
        return s, s
    pat = rng.choice(PATTERNS)
    sep = rng.choice([" ", " ", "-", "·", "  ", ""])
    out = []
    for c in pat:
        if c == "L":
            out.append(rng.choice(LETTERS))
        elif c == "N":
            out.append(rng.choice(DIGITS))
        else:
            out.append(sep)
    rendered = "".join(out)
    return rendered.replace(" ", "").replace("-", "").replace("·", ""), rendered


def _colour(rng: random.Random, light: bool) -> tuple[int, int, int]:
    if light:
        return tuple(rng.randint(170, 255) for _ in range(3))  # type: ignore[return-value]
    return tuple(rng.randint(0, 110) for _ in range(3))  # type: ignore[return-value]


def render_plate(rng: random.Random) -> tuple[np.ndarray, str]:
    """One synthetic plate, BGR uint8 about 320x160, and its normalised text."""
    w, h = 320, rng.randint(140, 175)
    dark_bg = rng.random() < 0.15
    bg = _colour(rng, not dark_bg)
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img, "RGBA")
    for _ in range(rng.randint(0, 4)):  # scenery graphics behind the text
        x0, y0 = rng.randint(-80, w), rng.randint(-40, h)
        x1, y1 = x0 + rng.randint(20, 250), y0 + rng.randint(10, 120)
        col = (*_colour(rng, rng.random() < 0.5), rng.randint(30, 140))
        (d.ellipse if rng.random() < 0.5 else d.rectangle)((x0, y0, x1, y1), fill=col)
    if rng.random() < 0.6:
        d.rounded_rectangle((3, 3, w - 4, h - 4), radius=12, outline=_colour(rng, dark_bg),
                            width=rng.randint(2, 6))
    ink = _colour(rng, dark_bg)
    if rng.random() < 0.85:
        f = _font(rng.choice(MAIN_FONTS), rng.randint(16, 34))
        d.text((w / 2 + rng.randint(-30, 30), rng.randint(4, 18)), rng.choice(STATES),
               font=f, fill=_colour(rng, dark_bg), anchor="mt")
    if rng.random() < 0.7:
        f = _font(rng.choice(MAIN_FONTS), rng.randint(11, 22))
        d.text((w / 2 + rng.randint(-30, 30), h - rng.randint(4, 14)), rng.choice(SLOGANS),
               font=f, fill=_colour(rng, dark_bg), anchor="mb")
    for _ in range(rng.randint(0, 2)):  # registration stickers in corners
        sx = rng.choice([rng.randint(6, 30), w - rng.randint(40, 70)])
        sy = rng.choice([rng.randint(4, 20), h - rng.randint(30, 45)])
        sw, sh = rng.randint(24, 50), rng.randint(18, 32)
        d.rectangle((sx, sy, sx + sw, sy + sh), fill=_colour(rng, rng.random() < 0.5))
        d.text((sx + 3, sy + 2), str(rng.randint(1, 99)), font=_font("DejaVuSans-Bold.ttf", 14),
               fill=_colour(rng, False))
    label, rendered = random_plate_text(rng)
    font = _font(rng.choice(MAIN_FONTS), 96)
    box = font.getbbox(rendered)
    tw, th = box[2] - box[0] + 8, box[3] - box[1] + 8
    layer = Image.new("L", (tw, th), 0)
    ImageDraw.Draw(layer).text((4 - box[0], 4 - box[1]), rendered, font=font, fill=255)
    target_h = int(h * rng.uniform(0.38, 0.58))
    target_w = int(tw * target_h / th * rng.uniform(0.6, 1.15))
    target_w = min(target_w, int(w * rng.uniform(0.78, 0.95)))
    layer = layer.resize((max(target_w, 8), max(target_h, 8)), Image.BILINEAR)
    px = (w - layer.width) // 2 + rng.randint(-12, 12)
    py = (h - layer.height) // 2 + rng.randint(-10, 12)
    if rng.random() < 0.5:  # embossed shadow
        shadow = Image.new("RGB", layer.size, _colour(rng, False))
        img.paste(shadow, (px + 2, py + 2), layer.point(lambda v: v // 2))
    img.paste(Image.new("RGB", layer.size, ink), (px, py), layer)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR), label


def augment(img: np.ndarray, rng: random.Random, np_rng: np.random.Generator) -> np.ndarray:
    """Geometry, resolution and photometric damage like that of real camera crops."""
    h, w = img.shape[:2]
    # crop jitter: a detector box is rarely exact
    l, r = (int(w * rng.uniform(-0.06, 0.12)) for _ in range(2))
    t, b = (int(h * rng.uniform(-0.08, 0.15)) for _ in range(2))
    img = cv2.copyMakeBorder(img, max(t, 0), max(b, 0), max(l, 0), max(r, 0),
                             cv2.BORDER_REPLICATE if rng.random() < 0.5 else cv2.BORDER_CONSTANT,
                             value=_colour(rng, rng.random() < 0.5))
    hh, ww = img.shape[:2]
    img = img[max(-t, 0):hh - max(-b, 0), max(-l, 0):ww - max(-r, 0)]
    h, w = img.shape[:2]
    # perspective / rotation
    m = 0.08
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src + np.float32([[rng.uniform(-m, m) * w, rng.uniform(-m, m) * h] for _ in range(4)])
    M = cv2.getPerspectiveTransform(src, dst)
    ang = rng.uniform(-6, 6)
    R = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
    M = np.vstack([R, [0, 0, 1]]) @ M
    img = cv2.warpPerspective(img, M, (w, h), borderMode=cv2.BORDER_REPLICATE)
    # low resolution, as far-away plates in scene photos
    if rng.random() < 0.6:
        sw = rng.randint(50, 200)
        sh = max(12, int(h * sw / w))
        img = cv2.resize(img, (sw, sh), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.4:
        k = rng.choice([3, 5])
        img = cv2.GaussianBlur(img, (k, k), 0)
    if rng.random() < 0.15:
        k = rng.randint(3, 7)
        kern = np.zeros((k, k), np.float32)
        kern[k // 2, :] = 1.0 / k
        img = cv2.filter2D(img, -1, kern)
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    g = g * rng.uniform(0.5, 1.4) + rng.uniform(-60, 60)
    if rng.random() < 0.5:
        g = g + np_rng.normal(0, rng.uniform(2, 14), g.shape)
    g = np.clip(g, 0, 255)
    if rng.random() < 0.3:
        g = 255.0 * (g / 255.0) ** rng.uniform(0.6, 1.6)
    g = g.astype(np.uint8)
    if rng.random() < 0.4:
        ok, enc = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(20, 80)])
        g = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    if rng.random() < 0.1:
        g = 255 - g
    return g
