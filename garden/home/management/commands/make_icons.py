"""Draw the app's icons (a white leaf on the garden's green) into static/icons/.

The PNGs are committed; run this again only to change them. Plain Python (zlib), so it
needs no imaging library:  python manage.py make_icons
"""

import math
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

GREEN = (47, 107, 47)  # --green in allmende.css, the manifest's theme colour
WHITE = (255, 255, 255)
SAMPLES = 3  # per axis: 9 samples a pixel smooth the edges

# (file, size in px, maskable): the sizes browsers ask for — 192 and 512 for Android and
# the install check, a maskable 512 (content inside the central safe circle), 180 for iOS.
ICONS = [
    ("icon-192.png", 192, False),
    ("icon-512.png", 512, False),
    ("maskable-512.png", 512, True),
    ("apple-touch-icon.png", 180, True),
    ("favicon-32.png", 32, False),
]


def _in_leaf(x: float, y: float) -> bool:
    """A leaf pointing up and right: the overlap of two discs, with a midrib left out."""
    # Rotate by 45° so the leaf's axis is the diagonal.
    u = (x + y) / math.sqrt(2)
    v = (y - x) / math.sqrt(2)
    radius, offset = 0.42, 0.27
    inside = (u**2 + (v - offset) ** 2 < radius**2) and (u**2 + (v + offset) ** 2 < radius**2)
    midrib = abs(v) < 0.012 and abs(u) < 0.25
    return inside and not midrib


def _in_rounded_square(x: float, y: float, corner: float) -> bool:
    dx, dy = max(abs(x) - (0.5 - corner), 0), max(abs(y) - (0.5 - corner), 0)
    return dx * dx + dy * dy <= corner * corner


def draw(size: int, maskable: bool) -> bytes:
    """RGBA rows of the icon. A maskable icon is full-bleed and its leaf smaller."""
    scale = 0.62 if maskable else 0.8  # of the icon's width taken by the leaf's box
    rows = []
    for row in range(size):
        line = bytearray([0])  # PNG filter type: none
        for column in range(size):
            background = leaf = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (column + (sx + 0.5) / SAMPLES) / size - 0.5
                    y = 0.5 - (row + (sy + 0.5) / SAMPLES) / size
                    if maskable or _in_rounded_square(x, y, 0.18):
                        background += 1
                        leaf += _in_leaf(x / scale, y / scale)
            n = SAMPLES * SAMPLES
            colour = [
                round((g * (background - leaf) + w * leaf) / max(background, 1))
                for g, w in zip(GREEN, WHITE, strict=True)
            ]
            line += bytes(colour) + bytes([round(255 * background / n)])
        rows.append(bytes(line))
    return b"".join(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


class Command(BaseCommand):
    help = "Draw the app icons into static/icons/."

    def handle(self, *args, **options) -> None:
        target = Path(settings.BASE_DIR) / "static" / "icons"
        target.mkdir(parents=True, exist_ok=True)
        for name, size, maskable in ICONS:
            (target / name).write_bytes(png(size, draw(size, maskable)))
            self.stdout.write(f"static/icons/{name} ({size}×{size})")
