"""Reading PDFs in tests with poppler's pdftotext, the tool a person would use."""

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
