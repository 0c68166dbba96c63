"""Synthetic US-style licence plates and the augmentation shared with real crops.

Why synthetic plates: the development crops are too few (a few hundred) to teach a reader
every glyph, layout and colour; rendering thousands of plates with a state name, slogan,
stickers and a main registration line teaches the network to read only the main line.
Only fonts present on the machine are used (DejaVu family, found with ``fc-list``).

Two generations, so that the shipped weights' recipe still reproduces:
- ``render_plate`` / ``augment``: the first (random layouts from ``PATTERNS``, camera damage).
- ``render_state_plate`` / ``augment(..., weather=True)`` / ``on_background``: US states'
  real layouts (``STATE_LAYOUTS``: each state's name, standard passenger-plate formats and
  slogan, written from the states' published formats, not learnt from the development
  crops), stronger perspective, and glare, night, rain and motion blur; ``on_background``
  warps a plate into a patch of a real street photo so its surroundings are real scenery.
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
STATE_LAYOUTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # code: (name as printed, standard layouts with their separators, slogans)
    "AK": ("ALASKA", ("LLL NNN",), ("The Last Frontier", "North to the Future")),
    "AR": ("ARKANSAS", ("NNN LLL",), ("The Natural State",)),
    "AZ": ("ARIZONA", ("LLL NNNN", "NNN LLL"), ("Grand Canyon State",)),
    "CA": ("California", ("NLLLNNN",), ("dmv.ca.gov", "")),
    "CO": ("COLORADO", ("NNN-LLL", "LLL-NNN"), ("",)),
    "CT": ("Connecticut", ("NNN·LLL", "LL·NNNNN"), ("Constitution State",)),
    "DC": ("DISTRICT OF COLUMBIA", ("LL-NNNN",), ("Taxation Without Representation",)),
    "DE": ("DELAWARE", ("NNNNNN", "NNNNN"), ("THE FIRST STATE",)),
    "FL": ("Florida", ("LLL LNN", "LNN NLL"), ("Sunshine State", "MYFLORIDA.COM")),
    "GA": ("GEORGIA", ("LLL NNNN",), ("In God We Trust",)),
    "HI": ("HAWAII", ("LLL NNN",), ("Aloha State",)),
    "IA": ("IOWA", ("NNN LLL", "LLL NNN"), ("",)),
    "ID": ("IDAHO", ("N LNNNNN", "NL NNNNN"), ("Famous Potatoes", "Scenic Idaho")),
    "IL": ("Illinois", ("LL NNNNN", "L NNNNNN"), ("Land of Lincoln",)),
    "IN": ("INDIANA", ("NNNLLL", "NNNL"), ("In God We Trust",)),
    "KS": ("Kansas", ("NNN LLL",), ("",)),
    "KY": ("Kentucky", ("NNN LLL",), ("Unbridled Spirit",)),
    "LA": ("Louisiana", ("LLL NNN",), ("Sportsman's Paradise",)),
    "MA": ("Massachusetts", ("NLLL NN", "NNN LLN", "NN LL NN"), ("The Spirit of America",)),
    "MD": ("Maryland", ("NLL NNNN", "NLLL NN"), ("",)),
    "ME": ("MAINE", ("NNNN LL", "NNN LLL"), ("Vacationland",)),
    "MI": ("Michigan", ("LLL NNNN",), ("Pure Michigan", "Great Lakes")),
    "MN": ("Minnesota", ("LLL NNN", "NNN LLL"), ("10,000 lakes", "Explore Minnesota")),
    "MO": ("MISSOURI", ("LLN LNL",), ("Show-Me State",)),
    "MS": ("MISSISSIPPI", ("LLL NNN",), ("",)),
    "NC": ("NORTH CAROLINA", ("LLL-NNNN",), ("First in Flight", "First in Freedom")),
    "NH": ("NEW HAMPSHIRE", ("NNN NNNN", "NNNNNN"), ("Live Free or Die",)),
    "NJ": ("New Jersey", ("LLL-NNL", "LNN-LLL"), ("Garden State",)),
    "NM": ("NEW MEXICO", ("LLL-NNN",), ("Land of Enchantment",)),
    "NV": ("NEVADA", ("NNL NNN", "NNN LLL"), ("The Silver State",)),
    "NY": ("NEW YORK", ("LLL-NNNN",), ("THE EMPIRE STATE", "Excelsior")),
    "OH": ("OHIO", ("LLL NNNN",), ("Birthplace of Aviation",)),
    "OK": ("OKLAHOMA", ("NNN-LLL", "LLL-NNN"), ("Native America",)),
    "OR": ("OREGON", ("NNN LLL", "LLL NNN"), ("",)),
    "PA": ("PENNSYLVANIA", ("LLL-NNNN",), ("visitPA.com",)),
    "RI": ("RHODE ISLAND", ("LL-NNN", "NNN-NNN"), ("Ocean State",)),
    "SC": ("South Carolina", ("LLL NNN",), ("While I Breathe I Hope",)),
    "TN": ("Tennessee", ("LLL-NNN", "NLN-NLN"), ("",)),
    "TX": ("TEXAS", ("LLN-LNNN", "LLL-NNNN"), ("The Lone Star State",)),
    "UT": ("UTAH", ("LNN NLL", "NNN LLL"), ("Life Elevated",)),
    "VA": ("Virginia", ("LLL-NNNN", "LLL-NNN"), ("Virginia is for Lovers",)),
    "VT": ("VERMONT", ("LLL NNN",), ("Green Mountain State",)),
    "WA": ("Washington", ("LLLNNNN", "NNN-LLL"), ("Evergreen State", "")),
    "WI": ("WISCONSIN", ("LLL-NNNN", "NNN-LLL"), ("America's Dairyland",)),
    "WV": ("West Virginia", ("NL NNNN",), ("Wild, Wonderful",)),
    "WY": ("WYOMING", ("N-NNNN", "NN-NNNN"), ("",)),
}
"""The US states' standard passenger-plate layouts (L letter, N digit, separators as printed)."""
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


def _fill(pattern: str, rng: random.Random) -> tuple[str, str]:
    """(label, rendered) for a layout: L and N drawn at random, the rest kept as printed."""
    rendered = "".join(rng.choice(LETTERS) if c == "L" else rng.choice(DIGITS) if c == "N"
                       else c for c in pattern)
    return "".join(c for c in rendered if c.isalnum()), rendered


def state_plate_text(rng: random.Random) -> tuple[str, str, str, str]:
    """(label, rendered, state name, slogan): mostly a state's real layout, sometimes a
    vanity plate (letters and digits of any length) under a state's name."""
    name, layouts, slogans = STATE_LAYOUTS[rng.choice(sorted(STATE_LAYOUTS))]
    if rng.random() < 0.12:
        n = rng.randint(2, 7)
        text = "".join(rng.choice(LETTERS + DIGITS) for _ in range(n))
        label, rendered = text, text
    else:
        label, rendered = _fill(rng.choice(layouts), rng)
    return label, rendered, name, rng.choice(slogans)


def _colour(rng: random.Random, light: bool) -> tuple[int, int, int]:
    if light:
        return tuple(rng.randint(170, 255) for _ in range(3))  # type: ignore[return-value]
    return tuple(rng.randint(0, 110) for _ in range(3))  # type: ignore[return-value]


def render_plate(rng: random.Random) -> tuple[np.ndarray, str]:
    """One synthetic plate, BGR uint8 about 320x160, and its normalised text."""
    return _render(rng, None)


def render_state_plate(rng: random.Random) -> tuple[np.ndarray, str]:
    """One synthetic plate in a US state's real layout, name and slogan (STATE_LAYOUTS)."""
    return _render(rng, state_plate_text)


def _render(rng: random.Random, texts) -> tuple[np.ndarray, str]:
    """A plate; ``texts(rng)`` gives (label, rendered, state name, slogan), or None for the
    first generation's random state, slogan and layout (drawn in its original order)."""
    chosen = texts(rng) if texts else None
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
        state = chosen[2] if chosen else rng.choice(STATES)
        d.text((w / 2 + rng.randint(-30, 30), rng.randint(4, 18)), state,
               font=f, fill=_colour(rng, dark_bg), anchor="mt")
    if rng.random() < 0.7:
        f = _font(rng.choice(MAIN_FONTS), rng.randint(11, 22))
        slogan = chosen[3] if chosen else rng.choice(SLOGANS)
        d.text((w / 2 + rng.randint(-30, 30), h - rng.randint(4, 14)), slogan,
               font=f, fill=_colour(rng, dark_bg), anchor="mb")
    for _ in range(rng.randint(0, 2)):  # registration stickers in corners
        sx = rng.choice([rng.randint(6, 30), w - rng.randint(40, 70)])
        sy = rng.choice([rng.randint(4, 20), h - rng.randint(30, 45)])
        sw, sh = rng.randint(24, 50), rng.randint(18, 32)
        d.rectangle((sx, sy, sx + sw, sy + sh), fill=_colour(rng, rng.random() < 0.5))
        d.text((sx + 3, sy + 2), str(rng.randint(1, 99)), font=_font("DejaVuSans-Bold.ttf", 14),
               fill=_colour(rng, False))
    label, rendered = (chosen[0], chosen[1]) if chosen else random_plate_text(rng)
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


def augment(img: np.ndarray, rng: random.Random, np_rng: np.random.Generator,
            weather: bool = False) -> np.ndarray:
    """Geometry, resolution and photometric damage like that of real camera crops; with
    ``weather``, sometimes a steeper perspective, and glare, night or rain (``weather_damage``)."""
    h, w = img.shape[:2]
    # crop jitter: a detector box is rarely exact
    left, r = (int(w * rng.uniform(-0.06, 0.12)) for _ in range(2))
    t, b = (int(h * rng.uniform(-0.08, 0.15)) for _ in range(2))
    img = cv2.copyMakeBorder(img, max(t, 0), max(b, 0), max(left, 0), max(r, 0),
                             cv2.BORDER_REPLICATE if rng.random() < 0.5 else cv2.BORDER_CONSTANT,
                             value=_colour(rng, rng.random() < 0.5))
    hh, ww = img.shape[:2]
    img = img[max(-t, 0):hh - max(-b, 0), max(-left, 0):ww - max(-r, 0)]
    h, w = img.shape[:2]
    # perspective / rotation
    m = 0.08
    if weather and rng.random() < 0.3:
        m = rng.uniform(0.08, 0.16)
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
    if weather:
        g = weather_damage(g, rng, np_rng)
    if rng.random() < 0.3:
        g = 255.0 * (g / 255.0) ** rng.uniform(0.6, 1.6)
    g = g.astype(np.uint8)
    if rng.random() < 0.4:
        ok, enc = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(20, 80)])
        g = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    if rng.random() < 0.1:
        g = 255 - g
    return g


def weather_damage(g: np.ndarray, rng: random.Random, np_rng: np.random.Generator) -> np.ndarray:
    """Float grey image -> the same under one of: glare (a bright blob washing out part of
    the plate, as sun on a reflective sheet or a flash), night (dark, low contrast, grainy,
    with a bright halo from the plate lamp), rain (thin bright slanted streaks and a slight
    blur), or none. Values stay within 0..255."""
    h, w = g.shape[:2]
    kind = rng.random()
    if kind < 0.15:  # glare
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        sx, sy = rng.uniform(0.1, 0.5) * w, rng.uniform(0.2, 0.8) * h
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        blob = np.exp(-(((xx - cx) / sx) ** 2 + ((yy - cy) / sy) ** 2))
        g = g + blob * rng.uniform(60, 200)
    elif kind < 0.3:  # night
        g = g * rng.uniform(0.15, 0.45) + rng.uniform(0, 15)
        if rng.random() < 0.5:
            yy = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
            g = g * (1.0 + rng.uniform(0.3, 1.2) * np.exp(-((yy + rng.uniform(-1, 1)) ** 2) * 2))
        g = g + np_rng.normal(0, rng.uniform(3, 10), g.shape)
    elif kind < 0.4:  # rain
        streaks = np.zeros((h, w), np.float32)
        slant = rng.uniform(-0.4, 0.4)
        for _ in range(rng.randint(5, 30)):
            x0, y0 = rng.uniform(0, w), rng.uniform(-h / 2, h)
            length = rng.uniform(0.1, 0.5) * h
            cv2.line(streaks, (int(x0), int(y0)), (int(x0 + slant * length), int(y0 + length)),
                     1.0, 1)
        g = g * (1 - 0.5 * streaks) + streaks * rng.uniform(60, 160) * 0.5
        g = cv2.GaussianBlur(g, (3, 3), 0)
    return np.clip(g, 0, 255)


def on_background(plate: np.ndarray, scene: np.ndarray, rng: random.Random) -> np.ndarray:
    """The plate (BGR) warped with a random perspective into a patch of a real street photo
    (BGR), and the patch cut around it with a loose margin, as a detector would cut it:
    what lies around the characters is real scenery, not a flat border."""
    ph, pw = plate.shape[:2]
    ch, cw = int(ph * 1.8), int(pw * 1.5)
    H, W = scene.shape[:2]
    sw = int(min(W, rng.uniform(0.1, 0.6) * W))
    sh = max(4, min(H, int(sw * ch / cw)))
    x0, y0 = rng.randint(0, max(0, W - sw)), rng.randint(0, max(0, H - sh))
    canvas = cv2.resize(scene[y0:y0 + sh, x0:x0 + sw], (cw, ch), interpolation=cv2.INTER_AREA)
    ox, oy = (cw - pw) / 2, (ch - ph) / 2
    m = rng.uniform(0.02, 0.12)
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    dst = src + np.float32([[ox + rng.uniform(-m, m) * pw, oy + rng.uniform(-m, m) * ph]
                            for _ in range(4)])
    M = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(plate, M, (cw, ch))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), M, (cw, ch))
    canvas[mask > 127] = warped[mask > 127]
    bx0, by0 = dst.min(axis=0)
    bx1, by1 = dst.max(axis=0)
    bw, bh = bx1 - bx0, by1 - by0
    left, r = (rng.uniform(-0.03, 0.1) * bw for _ in range(2))
    t, b = (rng.uniform(-0.05, 0.15) * bh for _ in range(2))
    cx0, cy0 = max(0, int(bx0 - left)), max(0, int(by0 - t))
    cx1, cy1 = min(cw, int(bx1 + r)), min(ch, int(by1 + b))
    return canvas[cy0:cy1, cx0:cx1]
