"""What a person on the page can attach: a small picture and a one-page PDF, made here (no files
to ship, nothing fetched)."""

from __future__ import annotations

import struct
import zlib


def _png(width: int, height: int) -> bytes:
    """A soft two-colour picture (a sunrise over the steppe, roughly), as a real PNG."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            sun = (x - width * 0.5) ** 2 + (y - height * 0.62) ** 2 < (width * 0.18) ** 2
            if y > height * 0.62:
                pixel = (112, 160, 86)  # grass
            elif sun:
                pixel = (255, 196, 80)
            else:
                pixel = (150 + y * 90 // height, 190 + y * 50 // height, 235)
            rows.extend(pixel)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def _pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
    ]
    text = b"BT /F1 18 Tf 40 110 Td (AnaBala sandbox: a sample document) Tj ET"
    objects.append(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SAMPLE_PHOTO = _png(160, 120)
SAMPLE_PDF = _pdf()
