"""Compare PDF text extractors on the Korean sample PDFs: quality (article numbers kept, Hangul, garbling)
and speed. Licences: pypdfium2 Apache-2.0/BSD-3 (PDFium), pypdf BSD-3, pdfplumber MIT (PyMuPDF is AGPL and
left out). Usage: python benchmarks/pdf_compare.py [SAMPLES_DIR]. Needs the `bench` extra.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ARTICLE = re.compile(r"제\s*\d+\s*조")
BROKEN_ARTICLE = re.compile(r"제\s*[장조절항]")  # "제장", "제조": the number went missing
HANGUL = re.compile(r"[가-힣]")


def with_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_bounded() for i in range(len(pdf))]
    finally:
        pdf.close()


def with_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def with_pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else
                Path(os.environ.get("SEOULAI_SHARED", "../shared")) / "samples" / "pdf")
    files = sorted(root.glob("*.pdf"))
    tools: dict[str, Callable[[Path], list[str]]] = {
        "pypdfium2": with_pypdfium2, "pypdf": with_pypdf, "pdfplumber": with_pdfplumber}
    print(f"{len(files)} PDFs, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB")
    print("| library | seconds | pages/s | chars | Hangul | 제N조 found | 제장/제조 (number lost) |")
    print("|---|---|---|---|---|---|---|")
    for name, tool in tools.items():
        start = time.perf_counter()
        pages = chars = hangul = articles = broken = 0
        for path in files:
            texts = tool(path)
            joined = "\n".join(texts)
            pages += len(texts)
            chars += len(joined)
            hangul += len(HANGUL.findall(joined))
            articles += len(ARTICLE.findall(joined))
            broken += len(BROKEN_ARTICLE.findall(joined))
        seconds = time.perf_counter() - start
        print(f"| {name} | {seconds:.2f} | {pages / seconds:.0f} | {chars} | {hangul} | {articles} | {broken} |")


if __name__ == "__main__":
    main()
