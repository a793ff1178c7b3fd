"""The field app's icons, drawn with Pillow (no third-party icon set).

Run ``python -m fieldwork.icons`` to redraw ``static/fieldwork/icons/``; the PNGs are committed
so serving them needs nothing at run time. The motif: a 3 × 3 grid with a location pin on the
platform's blue, inside the safe zone of a maskable icon (the central 80 %).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 92, 173)
WHITE = (255, 255, 255)
ORANGE = (245, 158, 11)
ICON_DIR = Path(__file__).resolve().parent / "static" / "fieldwork" / "icons"
SIZES = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "maskable-512.png": (512, True),
}


def draw(size: int, *, maskable: bool = False) -> Image.Image:
    """One icon: rounded square (or full bleed when maskable) with the grid and the pin."""
    scale = 4  # draw large, then shrink: smooth edges without antialiasing primitives
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BLUE)
    # the grid: inside the maskable safe zone (a circle of 40 % radius around the centre)
    left, right = big * 0.28, big * 0.72
    line = max(2, big // 48)
    for i in range(4):
        at = left + (right - left) * i / 3
        pen.line((at, left, at, right), fill=WHITE, width=line)
        pen.line((left, at, right, at), fill=WHITE, width=line)
    # the pin, standing on the centre cell
    cx, cy, r = big * 0.5, big * 0.42, big * 0.11
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ORANGE)
    pen.polygon([(cx - r * 0.8, cy + r * 0.55), (cx + r * 0.8, cy + r * 0.55), (cx, cy + r * 2.1)],
                fill=ORANGE)  # fmt: skip
    hole = r * 0.42
    pen.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def write_all(directory: Path = ICON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (size, maskable) in SIZES.items():
        path = directory / name
        draw(size, maskable=maskable).save(path, "PNG", optimize=True)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
