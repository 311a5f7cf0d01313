"""A Cog predictor that draws a striped PNG banner (standard library only): typed inputs, a file in, a file out."""

import struct
import tempfile
import zlib

from cog import BasePredictor, Input, Path

COLORS = {"orange": (255, 140, 0), "teal": (0, 128, 128), "black": (0, 0, 0)}


class Predictor(BasePredictor):
    def predict(
        self,
        width: int = Input(description="Width in pixels", default=64, ge=1, le=1024),
        height: int = Input(description="Height in pixels", default=16, ge=1, le=1024),
        color: str = Input(description="Stripe color", default="orange", choices=list(COLORS)),
        stripes: int = Input(description="Number of stripes", default=4, ge=1, le=64),
        like: Path = Input(description="A PNG whose size the banner takes (overrides width and height)",
                           default=None),
    ) -> Path:
        if like is not None:
            width, height = png_size(like)
        rgb = COLORS[color]
        band = max(1, width // (2 * stripes))
        rows = []
        for _ in range(height):
            row = bytearray([0])  # filter type 0 for each scanline
            for x in range(width):
                row += bytes(rgb) if (x // band) % 2 == 0 else b"\xff\xff\xff"
            rows.append(bytes(row))
        out = Path(tempfile.mkdtemp()) / "banner.png"
        out.write_bytes(png(width, height, b"".join(rows)))
        return out


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("'like' is not a PNG file")
    return struct.unpack(">II", head[16:24])


def png(width, height, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
