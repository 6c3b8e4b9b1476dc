"""Reading PDFs in tests with poppler's pdftotext, the tool a person would use."""

import os
import subprocess
import tempfile


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def pdf_fonts(data: bytes) -> str:
    """The font table of `pdffonts`: shows whether the CJK font is embedded."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        result = subprocess.run(["pdffonts", file.name], capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pdf_qr_codes(data: bytes) -> list[str]:
    """What the QR codes on the PDF's first page say, as a phone's camera would read them: the
    page drawn by poppler's pdftoppm, the codes read by zbar's zbarimg."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = f"{folder}/document.pdf"
        with open(pdf, "wb") as file:
            file.write(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", pdf, f"{folder}/page"],
            check=True,
        )
        (page,) = [name for name in os.listdir(folder) if name.endswith(".png")]
        result = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{folder}/{page}"],
            capture_output=True,
        )
    # zbarimg exits with 4 when the page has no code at all.
    return result.stdout.decode("utf-8").split()
