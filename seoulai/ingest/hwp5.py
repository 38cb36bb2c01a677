"""HWP 5.x (OLE compound file) body text, written by hand because no maintained Python library reads
HWP5 text with tables, notes and page positions under a permissive licence (pyhwp is AGPL).

Format facts used here (HWP 5.0 spec, 한글과컴퓨터): BodyText/SectionN streams hold records, raw-deflated
when FileHeader bit 0 is set; PARA_TEXT is UTF-16LE with inline/extended controls eight code units long;
CTRL_HEADER ids are four ASCII bytes stored reversed; PARA_LINE_SEG items carry a "first line of a page"
flag, which gives the page numbers as 한글 last laid the document out.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from seoulai.ingest.failures import IngestError
from seoulai.ingest.titles import summary_fits, title_from_blocks
from seoulai.ingest.types import Block, Document

TAG_PARA_HEADER = 66
TAG_PARA_TEXT = 67
TAG_PARA_LINE_SEG = 69
TAG_CTRL_HEADER = 71
TAG_LIST_HEADER = 72

# FileHeader property bits.
PROP_COMPRESSED = 1 << 0
PROP_PASSWORD = 1 << 1
PROP_DISTRIBUTION = 1 << 2
PROP_DRM = 1 << 4
PROP_CERT_ENCRYPTED = 1 << 8
PROP_CERT_DRM = 1 << 10

_CHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}
_NOTE_CONTROLS = {"head": "머리말", "foot": "꼬리말", "fn  ": "각주", "en  ": "미주"}


@dataclass
class _Table:
    level: int
    page: int | None
    rows: dict[int, dict[int, list[str]]] = field(default_factory=dict)
    current: list[str] | None = None

    def new_cell(self, row: int, col: int) -> None:
        self.current = self.rows.setdefault(row, {}).setdefault(col, [])

    def add(self, text: str) -> None:
        if self.current is None:
            self.new_cell(0, 0)
        assert self.current is not None
        self.current.append(text)

    def to_text(self) -> str:
        lines = []
        for row in sorted(self.rows):
            cells = [" ".join(t for t in self.rows[row][col] if t).strip() for col in sorted(self.rows[row])]
            if any(cells):
                lines.append(" | ".join(c for c in cells if c))
        return "\n".join(lines)


def read_hwp(path: Path, max_chars: int) -> Document:
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception as exc:  # olefile raises OSError, ValueError, struct errors on damage
        raise IngestError("corrupt", type(exc).__name__) from exc
    with ole:
        props = _check_header(ole)
        compressed = bool(props & PROP_COMPRESSED)
        sections = sorted(
            ("/".join(entry) for entry in ole.listdir() if entry[0] == "BodyText"),
            key=lambda name: int(name.rsplit("Section", 1)[-1] or 0),
        )
        if not sections:
            raise IngestError("corrupt", "BodyText 없음")
        walker = _Walker(max_chars)
        declared = read = 0
        complete = True
        for name in sections:
            size = ole.get_size(name)
            data = ole.openstream(name).read()
            declared, read = declared + size, read + min(len(data), size)
            whole = len(data) >= size
            if compressed:
                data, ended = _inflate(data, max_chars * 8, truncated=not whole)
                whole = whole and ended
            complete = complete and whole
            walker.walk(data)
        summary_title = _title(ole)
    blocks = walker.finish()
    title = (summary_title if summary_title and summary_fits(summary_title, blocks) else
             title_from_blocks(blocks) or summary_title or path.stem)
    metadata: dict[str, object] = {}
    if not complete:
        # A file cut short (an interrupted copy or download): what was read is kept, and said to be partial.
        if not blocks:
            raise IngestError("corrupt", "파일이 중간에 잘려 본문을 읽을 수 없습니다")
        metadata["partial"] = f"파일이 중간에 잘려 본문의 약 {read * 100 // max(declared, 1)}%만 읽었습니다"
    pages = walker.page if walker.page > 0 else None
    return Document(source=str(path), format="hwp", title=title, blocks=blocks, pages=pages, metadata=metadata)


def _check_header(ole: olefile.OleFileIO) -> int:
    if not ole.exists("FileHeader"):
        raise IngestError("not_a_document")
    header = ole.openstream("FileHeader").read(256)
    if len(header) < 40:
        raise IngestError("corrupt", "FileHeader")
    props = struct.unpack_from("<I", header, 36)[0]
    if props & (PROP_PASSWORD | PROP_CERT_ENCRYPTED):
        raise IngestError("encrypted")
    if props & (PROP_DRM | PROP_CERT_DRM):
        raise IngestError("drm")
    # A distribution copy keeps its body encrypted in ViewText/ and only a preview in PrvText, which must
    # never be taken for the content.
    if props & PROP_DISTRIBUTION or any(entry[0] == "ViewText" for entry in ole.listdir()):
        raise IngestError("distribution_protected")
    return int(props)


def _inflate(data: bytes, limit: int, truncated: bool = False) -> tuple[bytes, bool]:
    """The decompressed section and whether its deflate stream reached its end (a cut file's does not).

    Input is fed in pieces so that a stream damaged by truncation still yields what came before the damage.
    """
    inflater = zlib.decompressobj(-15)
    out: list[bytes] = []
    total = 0
    for start in range(0, len(data), 1 << 16):
        try:
            piece = inflater.decompress(data[start : start + (1 << 16)], limit - total + 1)
        except zlib.error as exc:
            if truncated:
                return b"".join(out), False
            raise IngestError("corrupt", "압축 해제 실패") from exc
        total += len(piece)
        if total > limit or inflater.unconsumed_tail:
            raise IngestError("too_large", "본문이 너무 깁니다")
        out.append(piece)
    return b"".join(out), inflater.eof


def _title(ole: olefile.OleFileIO) -> str:
    try:
        props = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
    except Exception:  # noqa: BLE001 - summary info is optional and often malformed
        return ""
    title = props.get(2)
    # HWP writes the property with trailing control data that olefile does not strip.
    title = title.split("\x00", 1)[0].strip() if isinstance(title, str) else ""
    return title if len(title) >= 2 and not title.isdigit() else ""


def decode_para_text(data: bytes) -> str:
    """Text of one PARA_TEXT record, with controls dropped and tabs/line breaks kept."""
    units = struct.unpack(f"<{len(data) // 2}H", data[: len(data) // 2 * 2])
    out: list[str] = []
    start = None  # start index of a run of ordinary characters
    i = 0
    n = len(units)
    while i < n:
        code = units[i]
        if code >= 32:
            if start is None:
                start = i
            i += 1
            continue
        if start is not None:
            out.append(data[start * 2 : i * 2].decode("utf-16-le", "replace"))
            start = None
        if code in _CHAR_CONTROLS:
            out.append({10: "\n", 24: "-", 30: " ", 31: " "}.get(code, ""))
            i += 1
        else:  # inline or extended control: eight code units
            if code == 9:
                out.append("\t")
            i += 8
    if start is not None:
        out.append(data[start * 2 :].decode("utf-16-le", "replace"))
    return "".join(out)


class _Walker:
    """Turns the record stream of all sections into blocks, tracking tables, notes and pages."""

    def __init__(self, max_chars: int) -> None:
        self.blocks: list[Block] = []
        self.stack: list[tuple[str, int]] = []  # (ctrl id, level) of open controls
        self.table: _Table | None = None
        self.page = 0
        self.last_body_block: Block | None = None
        self.last_vpos = 0
        self.chars = 0
        self.max_chars = max_chars

    def walk(self, data: bytes) -> None:
        pos, end = 0, len(data)
        while pos + 4 <= end:
            header = struct.unpack_from("<I", data, pos)[0]
            pos += 4
            tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, (header >> 20) & 0xFFF
            if size == 0xFFF:
                if pos + 4 > end:
                    break
                size = struct.unpack_from("<I", data, pos)[0]
                pos += 4
            payload = data[pos : pos + size]
            pos += size
            self._record(tag, level, payload)

    def _record(self, tag: int, level: int, payload: bytes) -> None:
        while self.stack and self.stack[-1][1] >= level:
            ctrl, ctrl_level = self.stack.pop()
            if self.table is not None and ctrl == "tbl " and ctrl_level == self.table.level:
                self._emit(Block(self.table.to_text(), page=self.table.page, kind="table"))
                self.table = None
        if tag == TAG_PARA_HEADER and level == 0:
            self.last_body_block = None
        elif tag == TAG_CTRL_HEADER and len(payload) >= 4:
            ctrl = payload[:4][::-1].decode("latin-1")
            self.stack.append((ctrl, level))
            if ctrl == "tbl " and self.table is None:
                self.table = _Table(level=level, page=self.page or None)
        elif tag == TAG_LIST_HEADER and self.table is not None and level == self.table.level + 1:
            if len(payload) >= 12:
                col, row = struct.unpack_from("<HH", payload, 8)
                self.table.new_cell(row, col)
        elif tag == TAG_PARA_TEXT:
            self._text(decode_para_text(payload).strip())
        elif tag == TAG_PARA_LINE_SEG and level == 1 and not self.stack:
            self._pages(payload)

    def _text(self, text: str) -> None:
        if not text:
            return
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise IngestError("too_large", f"본문이 {self.max_chars:,}자를 넘습니다")
        if self.table is not None:
            self.table.add(text)
            return
        notes = [_NOTE_CONTROLS[c] for c, _ in self.stack if c in _NOTE_CONTROLS]
        if notes:
            self._emit(Block(f"{notes[-1]}: {text}", page=self.page or None, kind="note"))
            return
        block = Block(text, page=self.page or None)
        self._emit(block)
        if not self.stack:
            self.last_body_block = block

    def _pages(self, payload: bytes) -> None:
        # A body line whose vertical position goes back up starts a new page (or section); the spec's
        # "first line of page" flag is set by some 한글 versions only, so both are accepted.
        for offset in range(0, len(payload) - 35, 36):
            vpos = struct.unpack_from("<i", payload, offset + 4)[0]
            flags = struct.unpack_from("<I", payload, offset + 32)[0]
            new_page = self.page == 0 or vpos < self.last_vpos or (flags & 1 and vpos == 0 and offset > 0)
            self.last_vpos = vpos
            if new_page:
                self.page += 1
                if offset == 0 and self.last_body_block is not None:
                    self.last_body_block.page = self.page

    def _emit(self, block: Block) -> None:
        if block.text.strip():
            self.blocks.append(block)

    def finish(self) -> list[Block]:
        if self.table is not None:
            self._emit(Block(self.table.to_text(), page=self.table.page, kind="table"))
            self.table = None
        if self.page == 0:
            for block in self.blocks:
                block.page = None
        return self.blocks
