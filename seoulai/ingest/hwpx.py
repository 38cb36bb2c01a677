"""HWPX (OWPML: a zip of XML parts) body text with tables, notes and page numbers.

Read with lxml directly: we need the line-segment positions (for page numbers) and table rows, and the
XML is simple enough that walking it is shorter than adapting a document-editing library.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from seoulai.ingest.failures import IngestError
from seoulai.ingest.types import Block, Document

HP = "{http://www.hancom.co.kr/hwpml/2011/paragraph}"
_NOTES = {"header": "머리말", "footer": "꼬리말", "footNote": "각주", "endNote": "미주"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True)


def read_hwpx(path: Path, max_chars: int) -> Document:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("corrupt", "zip") from exc
    with archive:
        names = archive.namelist()
        if any(n.startswith("META-INF/") and "encryption" in n.lower() for n in names) or _encrypted(archive):
            raise IngestError("encrypted")
        sections = sorted((n for n in names if re.fullmatch(r"Contents/section\d+\.xml", n)),
                          key=lambda n: int(re.findall(r"\d+", n)[-1]))
        if not sections:
            raise IngestError("corrupt", "본문 섹션 없음")
        reader = _SectionReader(max_chars)
        for name in sections:
            try:
                root = etree.fromstring(archive.read(name), _PARSER)
            except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, OSError) as exc:
                raise IngestError("corrupt", name) from exc
            reader.section(root)
        title = _title(archive, names) or path.stem
    pages = reader.page or None
    return Document(source=str(path), format="hwpx", title=title, blocks=reader.blocks, pages=pages)


def _encrypted(archive: zipfile.ZipFile) -> bool:
    # Password-protected HWPX lists its encrypted parts in META-INF/manifest.xml.
    try:
        manifest = archive.read("META-INF/manifest.xml")
    except KeyError:
        return False
    return b"encryption-data" in manifest


def _title(archive: zipfile.ZipFile, names: list[str]) -> str:
    if "Contents/content.hpf" not in names:
        return ""
    try:
        root = etree.fromstring(archive.read("Contents/content.hpf"), _PARSER)
    except etree.XMLSyntaxError:
        return ""
    for element in root.iter("{*}title"):
        text = (element.text or "").strip()
        if text:
            return text
    return ""


def _t_text(element: etree._Element) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = etree.QName(child).localname
        parts.append({"tab": "\t", "lineBreak": "\n"}.get(tag, " " if tag.endswith("Space") else ""))
        parts.append(child.tail or "")
    return "".join(parts)


def paragraph_text(p: etree._Element) -> str:
    """The paragraph's own text (its runs' hp:t), not that of tables or boxes anchored in it."""
    return "".join(_t_text(t) for t in p.iterfind(f"{HP}run/{HP}t")).strip()


def _all_text(element: etree._Element) -> str:
    texts = (paragraph_text(p) for p in element.iter(f"{HP}p"))
    return " ".join(t for t in texts if t)


class _SectionReader:
    def __init__(self, max_chars: int) -> None:
        self.blocks: list[Block] = []
        self.page = 0
        self.last_vpos = 0
        self.chars = 0
        self.max_chars = max_chars

    def section(self, root: etree._Element) -> None:
        for p in root.iterfind(f"{HP}p"):
            self._body_paragraph(p)

    def _body_paragraph(self, p: etree._Element) -> None:
        self._advance_page(p)
        page = self.page or None
        self._emit(Block(paragraph_text(p), page=page))
        for run in p.iterfind(f"{HP}run"):
            for child in run:
                tag = etree.QName(child).localname
                if tag == "tbl":
                    self._emit(Block(self._table(child), page=page, kind="table"))
                elif tag == "ctrl":
                    for note in child:
                        label = _NOTES.get(etree.QName(note).localname)
                        text = _all_text(note)
                        if label and text:
                            self._emit(Block(f"{label}: {text}", page=page, kind="note"))
                elif tag not in ("t", "secPr") and child.find(f".//{HP}subList") is not None:
                    self._emit(Block(_all_text(child), page=page))  # text boxes and shapes with text

    def _advance_page(self, p: etree._Element) -> None:
        segs = p.find(f"{HP}linesegarray")
        if p.get("pageBreak") == "1" and self.page:
            self.page += 1
            self.last_vpos = 0
        for seg in segs if segs is not None else ():
            try:
                vpos = int(seg.get("vertpos", "0"))
            except ValueError:
                continue
            if self.page == 0 or vpos < self.last_vpos:
                self.page += 1
            self.last_vpos = vpos
        if self.page == 0:
            self.page = 1

    @staticmethod
    def _table(tbl: etree._Element) -> str:
        rows = []
        for tr in tbl.iterfind(f"{HP}tr"):
            cells = [_all_text(tc) for tc in tr.iterfind(f"{HP}tc")]
            if any(cells):
                rows.append(" | ".join(c for c in cells if c))
        return "\n".join(rows)

    def _emit(self, block: Block) -> None:
        if not block.text.strip():
            return
        self.chars += len(block.text)
        if self.chars > self.max_chars:
            raise IngestError("too_large", f"본문이 {self.max_chars:,}자를 넘습니다")
        self.blocks.append(block)
