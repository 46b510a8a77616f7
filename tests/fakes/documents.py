"""Label documents as the carriers' label printers receive them: a real one-page PDF, ZPL and PNG.

The PDF is written by hand (no PDF library in the project): one A6 page with the label's lines in
Helvetica, a correct cross-reference table and trailer, so any PDF reader (``PIL.PdfParser``, pypdf)
opens it and a merge step can place it on an A4 sheet.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

A6_POINTS = (297.64, 419.53)


def _pdf_text(line: str) -> str:
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("latin-1", "replace").decode("latin-1")


def label_pdf(lines: list[str]) -> bytes:
    width, height = A6_POINTS
    text = ["BT", "/F1 12 Tf", "14 TL", f"20 {height - 40:.2f} Td"]
    for line in lines:
        text.append(f"({_pdf_text(line)}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def label_zpl(lines: list[str]) -> bytes:
    fields = "".join(f"^FO40,{40 + 50 * index}^A0N,36,36^FD{line}^FS" for index, line in enumerate(lines))
    return f"^XA^CI28{fields}^XZ\n".encode()


def label_png(lines: list[str], dpi: int = 203) -> bytes:
    image = Image.new("L", (int(4.13 * dpi), int(5.83 * dpi)), 255)  # A6 portrait at the printer's dpi
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((20, 20 + 24 * index), line, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def render_label(mime_type: str, lines: list[str], dpi: int = 203) -> bytes:
    if mime_type == "application/zpl":
        return label_zpl(lines)
    if mime_type == "image/png":
        return label_png(lines, dpi)
    return label_pdf(lines)
