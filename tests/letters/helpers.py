"""Read back what a PDF says and what its QR code encodes."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-layout", str(src), "-"],
            capture_output=True,
            check=True,
        )
    return " ".join(out.stdout.decode().replace("\u00a0", " ").split())


def pdf_qr_codes(pdf: bytes, *, resolution: int = 200) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "doc.pdf"
        src.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(resolution), str(src), f"{tmp}/page"],
            check=True,
        )
        found: list[str] = []
        for png in sorted(Path(tmp).glob("page*.png")):
            res = subprocess.run(
                ["zbarimg", "--raw", "-q", "-Sbinary", str(png)],
                capture_output=True,
                check=False,
            )
            if res.stdout:
                found.append(res.stdout.decode().rstrip("\n"))
        return found
