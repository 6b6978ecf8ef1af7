"""Pictures drawn with Pillow for demo and benchmark data, so seeding never downloads anything."""

import math
import random
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

PALETTES = [
    ("#1e1b4b", "#4338ca", "#f97360", "#fde68a"),
    ("#0f3d3e", "#1f7a6d", "#f2c14e", "#f7f3e3"),
    ("#2b193d", "#7b2cbf", "#ff6d00", "#ffd6a5"),
    ("#0b2545", "#13315c", "#8da9c4", "#eef4ed"),
    ("#3d0c11", "#9e2a2b", "#e09f3e", "#fff3b0"),
    ("#132a13", "#31572c", "#90a955", "#ecf39e"),
]


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def landscape(seed: int, size: tuple[int, int] = (1600, 1000)) -> bytes:
    """An abstract landscape (sky gradient, sun, layered ridges) as JPEG bytes."""
    rng = random.Random(seed)
    width, height = size
    deep, mid, warm, light = (_hex(c) for c in PALETTES[seed % len(PALETTES)])
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = tuple(int(deep[i] + (warm[i] - deep[i]) * t**1.4) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    sun_x, sun_y = rng.randint(width // 5, width * 4 // 5), rng.randint(height // 6, height // 2)
    radius = rng.randint(height // 10, height // 6)
    glow = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(glow).ellipse(
        [sun_x - radius * 2, sun_y - radius * 2, sun_x + radius * 2, sun_y + radius * 2],
        fill=(*light, 90),
    )
    image.paste(
        glow.filter(ImageFilter.GaussianBlur(radius)),
        (0, 0),
        glow.filter(ImageFilter.GaussianBlur(radius)),
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse([sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius], fill=light)
    layers = 4
    for layer in range(layers):
        t = (layer + 1) / layers
        base = height * (0.5 + 0.12 * layer)
        colour = tuple(int(mid[i] * (1 - t) + deep[i] * t * 0.7) for i in range(3))
        phase, freq, amp = (
            rng.random() * 6.28,
            rng.uniform(1.5, 3.5),
            height * rng.uniform(0.04, 0.1),
        )
        points = [(0, height)]
        for x in range(0, width + 20, 20):
            y = base + math.sin(x / width * freq * math.pi + phase) * amp
            y += math.sin(x / width * freq * 3.1 * math.pi + phase * 2) * amp * 0.3
            points.append((x, y))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", quality=84, optimize=True, progressive=True)
    return buffer.getvalue()


def portrait(seed: int, size: int = 400) -> bytes:
    """A friendly abstract avatar (soft shapes on a gradient) as PNG bytes."""
    rng = random.Random(seed)
    deep, mid, warm, light = (_hex(c) for c in PALETTES[seed % len(PALETTES)])
    image = Image.new("RGB", (size, size), mid)
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        draw.line(
            [(0, y), (size, y)], fill=tuple(int(mid[i] + (warm[i] - mid[i]) * t) for i in range(3))
        )
    head = size * rng.uniform(0.2, 0.26)
    cx, cy = size / 2, size * 0.42
    draw.ellipse([cx - head, cy - head, cx + head, cy + head], fill=light)
    draw.ellipse([cx - size * 0.42, size * 0.72, cx + size * 0.42, size * 1.3], fill=deep)
    buffer = BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
