"""Structure-aware chunking.

Statutes and regulations are chunked by article (제N조, 제N조의M) under their 편/장/절/관 path, split by
paragraph (①, ②, ...) only when an article is long, with the article heading repeated on every piece. An
article repealed in place ("삭제 <2020.1.16>") is no chunk; each amendment's 부칙 is a chunk of its own, its
section the 부칙's label ("부칙 <제8952호, 2023.10.4>", see addenda.py). Other documents are chunked by heading
and paragraph up to a target size. Chunk ids hash the source, section, ordinal and text, so re-ingesting an
unchanged file yields the same ids.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from seoulai.ingest.addenda import addendum_label, apply_newest
from seoulai.ingest.duties import split_duties
from seoulai.ingest.types import Block, Chunk, Document

_NUM = r"\s*(\d+)\s*"
ARTICLE = re.compile(rf"^제{_NUM}조(?:\s*의{_NUM})?(?:\s*[(（]([^)）\n]{{0,60}})[)）])?")
_STRUCT = re.compile(rf"^제{_NUM}(편|장|절|관)(?:\s|$)")
_STRUCT_LEVEL = {"편": 1, "장": 2, "절": 3, "관": 4}
# An article repealed in place: "삭제 <2020.1.16>", maybe with notes ("[제99조에서 이동 …]"). Never an answer.
_DELETED = re.compile(r"삭\s*제\s*(?:(?:<[^<>\n]{0,60}>|\[[^\[\]\n]{0,120}\]|\([^()\n]{0,40}\)|〈[^〈〉\n]{0,40}〉)\s*)*")
_PARAGRAPH_MARK = re.compile(r"(?=[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])")
_ITEM_MARK = re.compile(r"(?=\n[^\S\n]*\d+\.\s)")  # not \s*: over a run of blank lines it was quadratic
_SENTENCE_END = re.compile(r"(?<=[.!?。다요음함됨])\s+")
_ROMAN_HEADING = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|[IVX]+)\.?\s+\S")
_EFFECTIVE = re.compile(r"시행(?:일자)?\s*[:：]?\s*(\d{4})\s*[.\-년]\s*(\d{1,2})\s*[.\-월]\s*(\d{1,2})")


# The document metadata every chunk carries (hits and evidence cards show it).
CHUNK_METADATA = ("종류", "시행일자", "공포일자", "공포번호", "제개정구분", "담당부서", "소관부처", "지자체", "출처")


@dataclass
class ChunkParams:
    chunk_chars: int = 1000
    article_max_chars: int = 1500


def article_heading(text: str) -> tuple[str, str] | None:
    """Split "제 1 조 (목적) 이 규정은 ..." into ("제1조 (목적)", "이 규정은 ...")."""
    match = ARTICLE.match(text)
    if match is None:
        return None
    number = f"제{match.group(1)}조" + (f"의{match.group(2)}" if match.group(2) else "")
    title = match.group(3)
    heading = f"{number} ({title.strip()})" if title and title.strip() else number
    return heading, text[match.end() :].strip()


def is_statute(blocks: list[Block]) -> bool:
    """Two or more article starts with titles (or as headings) make a document a statute/regulation."""
    count = 0
    for block in blocks:
        match = ARTICLE.match(block.text)
        if match and (match.group(3) or block.kind == "heading"):
            count += 1
            if count >= 2:
                return True
    return False


def effective_date(document: Document) -> str | None:
    if document.metadata.get("시행일자"):
        return str(document.metadata["시행일자"])
    for block in document.blocks[:30]:
        match = _EFFECTIVE.search(block.text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


@dataclass
class _Builder:
    source: str
    title: str
    collection: str
    effective: str | None
    metadata: dict[str, object]
    chunks: list[Chunk] = field(default_factory=list)
    ordinals: dict[str, int] = field(default_factory=dict)

    def add(self, section: str, text: str, page: int | None) -> None:
        text = text.strip()
        if not text:
            return
        ordinal = self.ordinals.get(section, 0)
        self.ordinals[section] = ordinal + 1
        digest = hashlib.sha256(f"{self.source}\x00{section}\x00{ordinal}\x00{text}".encode()).hexdigest()[:24]
        self.chunks.append(Chunk(id=digest, source=self.source, title=self.title, section=section, page=page,
                                 text=text, position=len(self.chunks), effective_date=self.effective,
                                 collection=self.collection, metadata=dict(self.metadata)))


def chunk_document(document: Document, source: str, collection: str = "",
                   params: ChunkParams | None = None) -> list[Chunk]:
    """Chunks of one extracted document; ``source`` is the path relative to the ingested root."""
    params = params or ChunkParams()
    metadata = {k: v for k, v in document.metadata.items() if k in CHUNK_METADATA}
    metadata["format"] = document.format
    builder = _Builder(source, document.title, collection, effective_date(document), metadata)
    blocks = [b for b in document.blocks if b.text.strip()]
    if is_statute(blocks):
        _chunk_statute(blocks, builder, params, document.title)
    else:
        _chunk_generic(blocks, builder, params)
    apply_newest(builder.chunks, document.metadata)
    return builder.chunks


# -- statutes ---------------------------------------------------------------------------------------------

@dataclass
class _Addendum:
    """One amendment's 부칙 being collected: its label and everything up to the next label."""

    label: str
    page: int | None
    parts: list[str] = field(default_factory=list)


def _chunk_statute(blocks: list[Block], out: _Builder, params: ChunkParams, title: str) -> None:
    path: dict[int, str] = {}
    article: str | None = None
    body: list[str] = []
    page: int | None = None
    addendum: _Addendum | None = None
    loose: list[Block] = []  # text outside any article (preamble)

    def prefix() -> list[str]:
        return [path[level] for level in sorted(path)]

    def flush_article() -> None:
        nonlocal article, body
        if article is not None and not _DELETED.fullmatch("\n".join(body).strip()):
            _emit_article(out, " > ".join(prefix() + [article]), article, "\n".join(body), page, params)
        article, body = None, []

    def flush_addendum() -> None:
        nonlocal addendum
        if addendum is not None:
            _emit_addendum(out, addendum, params)
        addendum = None

    def flush_loose() -> None:
        if loose:
            _chunk_generic(loose, out, params, base=prefix() or [title])
            loose.clear()

    for block in blocks:
        first_line = block.text.split("\n", 1)[0].strip()
        if block.kind == "heading" and block.heading_level == 1 and not _STRUCT.match(first_line):
            continue  # the document title
        structure = _STRUCT.match(first_line)
        opened = addendum_label(first_line, block.kind == "heading")
        if opened is not None:
            flush_article()
            flush_loose()
            label, rest = opened
            if addendum is not None and not addendum.parts and addendum.label == "부칙":
                addendum.label = label  # "## 부칙" then "부칙 <제8952호, …>": one 부칙, named by its own label
            else:
                flush_addendum()
                addendum = _Addendum(label, block.page)
            more = block.text.split("\n", 1)[1].strip() if "\n" in block.text else ""
            addendum.parts += [text for text in (rest, more) if text]
            path = {}
            continue
        if structure and len(first_line) < 80 and not ARTICLE.match(first_line):
            flush_article()
            flush_loose()
            flush_addendum()
            level = _STRUCT_LEVEL[structure.group(2)]
            path = {k: v for k, v in path.items() if k < level}
            path[level] = first_line
            rest = block.text.split("\n", 1)[1].strip() if "\n" in block.text else ""
            if rest:
                loose.append(Block(rest, page=block.page))
            continue
        if addendum is not None:
            addendum.parts.append(block.text)
            continue
        split = article_heading(block.text)
        if split is not None and _DELETED.fullmatch(split[1]):
            flush_article()  # "제3조 삭제 <2020.1.16>" on one line (PDF, HWP): the stub ends the article before it
            flush_loose()
            continue
        if split is not None and (block.kind == "heading" or ARTICLE.match(block.text).group(3) is not None):  # type: ignore[union-attr]  # split: matched
            flush_article()
            flush_loose()
            article, first = split
            body = [first] if first else []
            page = block.page
            continue
        if article is not None:
            body.append(block.text)
        else:
            loose.append(block)
    flush_article()
    flush_loose()
    flush_addendum()


def _emit_article(out: _Builder, section: str, heading: str, body: str, page: int | None,
                  params: ChunkParams) -> None:
    # An organisation rule's article holds a whole 실/국 (thousands of characters): split whole, one unit's
    # duties drown in the others' and "어느 과" questions miss. Each unit's 사무분장 becomes its own chunk;
    # its section keeps the article first (citations and the eval scorer read the first 제N조).
    rest, duties = split_duties(heading, body)
    if duties and rest.strip():
        _emit_pieces(out, section, heading, rest, page, params)
    elif not duties:
        _emit_pieces(out, section, heading, body, page, params)
    for duty in duties:
        parent = _unit_parent(section, duty.parent, duty.unit)
        start = len(out.chunks)
        _emit_pieces(out, f"{section} > {duty.unit}", f"{heading} {parent} {duty.unit}", duty.text, page, params)
        for chunk in out.chunks[start:]:
            chunk.metadata.update({"unit": duty.unit, "unit_parent": parent})


# Article titles that name no organisation: the units of "제52조 (하부조직)" belong to the 절's institution, and so
# does the unit an article is named after ("제47조 (대기환경연구부)" in 제2절 서울특별시보건환경연구원).
_GENERIC_PARENTS = ("하부조직", "하부기관")
_STRUCT_NOTE = re.compile(r"<[^<>]*>")


def _unit_parent(section: str, parent: str, unit: str) -> str:
    """The 실/국/기관 a unit belongs to: the article's title, or the enclosing 절 ("제3절 서울특별시인재개발원")
    when the title is generic ("하부조직", "지소의 설치") or the unit itself."""
    if parent not in _GENERIC_PARENTS and not parent.endswith("설치") and parent != unit:
        return parent
    for part in reversed(section.split(" > ")[:-1]):
        match = _STRUCT.match(part)
        if match and match.group(2) in ("절", "관"):
            return _STRUCT_NOTE.sub("", part[match.end():]).strip() or parent
    return parent


def _emit_pieces(out: _Builder, section: str, heading: str, body: str, page: int | None,
                 params: ChunkParams) -> None:
    """One chunk, or pieces split by paragraph (else by item) each repeating the heading line."""
    full = f"{heading}\n{body}".strip()
    if len(full) <= params.article_max_chars:
        out.add(section, full, page)
        return
    budget = max(params.article_max_chars - len(heading) - 1, 100)
    pieces = [p.strip() for p in _PARAGRAPH_MARK.split(body) if p.strip()]
    if len(pieces) <= 1:
        pieces = [p.strip() for p in _ITEM_MARK.split(body) if p.strip()]
    for group in _pack(pieces, budget):
        out.add(section, f"{heading}\n{group}", page)


def _emit_addendum(out: _Builder, addendum: _Addendum, params: ChunkParams) -> None:
    """One amendment's 부칙 as one chunk (pieces of one when long) under its label, never joined to the next:
    its 시행일 provision answers "언제부터 시행돼요?"."""
    pieces = [part.strip() for part in addendum.parts if part.strip()]
    for group in _pack(pieces, params.article_max_chars):
        out.add(addendum.label, group, addendum.page)


def _pack(pieces: list[str], budget: int) -> list[str]:
    """Greedily join pieces up to budget characters; split any single over-long piece by sentences."""
    return _greedy([part for piece in pieces for part in _split_long(piece, budget)], budget, "\n")


def _split_long(text: str, budget: int) -> list[str]:
    if len(text) <= budget:
        return [text]
    sentences: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        # No sentence boundary at all: cut hard.
        sentences += [sentence[i : i + budget] for i in range(0, len(sentence), budget)] or [sentence]
    return _greedy(sentences, budget, " ")


def _greedy(parts: list[str], budget: int, separator: str) -> list[str]:
    """Join consecutive parts with ``separator`` while the result stays within ``budget``."""
    groups: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + len(separator) + len(part) > budget:
            groups.append(current)
            current = part
        else:
            current = f"{current}{separator}{part}" if current else part
    if current:
        groups.append(current)
    return groups


# -- other documents ---------------------------------------------------------------------------------------

def _heading_level(block: Block) -> int | None:
    if block.kind == "heading":
        return block.heading_level or 1
    text = block.text.strip()
    if len(text) <= 60 and "\n" not in text and _ROMAN_HEADING.match(text):
        return 1
    return None


def _chunk_generic(blocks: list[Block], out: _Builder, params: ChunkParams, base: list[str] | None = None) -> None:
    path: dict[int, str] = {}
    base = base or []
    buffer: list[str] = []
    page: int | None = None

    def section() -> str:
        return " > ".join(base + [path[level] for level in sorted(path)]) or out.title

    def flush() -> None:
        nonlocal buffer, page
        if buffer:
            for group in _pack(buffer, params.chunk_chars):
                out.add(section(), group, page)
        buffer, page = [], None

    for block in blocks:
        level = _heading_level(block)
        if level is not None:
            flush()
            path = {k: v for k, v in path.items() if k < level}
            path[level] = block.text.strip()[:120]
            continue
        if block.kind == "table":
            flush()
            for group in _table_pieces(block.text, params.chunk_chars):
                out.add(section(), group, block.page)
            continue
        if buffer and sum(len(b) for b in buffer) + len(block.text) > params.chunk_chars:
            flush()
        if page is None:
            page = block.page
        buffer.append(block.text)
    flush()


def _table_pieces(text: str, budget: int) -> list[str]:
    """A long table split by rows, each piece repeating the header row."""
    if len(text) <= budget:
        return [text]
    rows = text.split("\n")
    header, rest = rows[0], rows[1:]
    pieces: list[str] = []
    current = header
    for row in rest:
        for part in _split_long(row, budget):
            if len(current) + 1 + len(part) > budget and current != header:
                pieces.append(current)
                current = header
            current = f"{current}\n{part}"
    if current != header or not pieces:
        pieces.append(current)
    return pieces
