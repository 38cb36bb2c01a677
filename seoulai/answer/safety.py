"""Make untrusted text (model output, document text and metadata) safe to show with st.markdown.

Model output is parsed with a CommonMark parser (markdown-it-py) and written back as Markdown built only from
what we allow: paragraphs, headings (as bold lines), lists, quotes, code, tables, bold/italic/strike. Every
image is dropped (its alt text shown as blocked), every link becomes its text with the address as code, raw
HTML becomes text, and anything in plain text that a GFM renderer would turn into a link by itself (http://,
www., //host, scheme:, e-mail addresses) is put in a code span, where no renderer links. Single line breaks
are kept as line breaks, so 개조식 (□ / ○ / -) lines stay lines.

Document metadata (titles, sections, file names, dates) is shown verbatim through :func:`escape_markdown`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~=:@$&^])")
# What a GFM renderer would link on its own: schemes, scheme-relative //host, www., e-mail addresses.
_LINKABLE = re.compile(
    r"(?:\b(?:https?|ftp|ftps|file|data|javascript|vbscript|mailto|tel|xmpp|ws|wss|irc|ssh|sftp|blob)\s*:\S*"
    r"|(?<![\w/])//[^\s/]\S*"
    r"|\bwww\.\S+"
    r"|(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)  # an address from the start of its run: linear
_BLOCKED_IMAGE = "이미지 차단됨"


def escape_markdown(text: str) -> str:
    """Text shown verbatim: Markdown control characters escaped, link-like parts as code."""
    parts: list[str] = []
    last = 0
    for match in _LINKABLE.finditer(text):
        parts.append(_MD_SPECIAL.sub(r"\\\1", text[last : match.start()]))
        parts.append(_code(match.group(0)))
        last = match.end()
    parts.append(_MD_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(parts)


def _code(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def safe_markdown(text: str) -> str:
    """Model output for st.markdown: no images, no links, no HTML; formatting and line breaks kept."""
    root = SyntaxTreeNode(_PARSER.parse(text))
    return "\n\n".join(block for block in (_block(node) for node in root.children) if block.strip())


def _plain(node: SyntaxTreeNode) -> str:
    """The text of an inline subtree (alt text of an image, the text of a link)."""
    if node.type in ("text", "code_inline", "html_inline"):
        return node.content
    if node.type in ("softbreak", "hardbreak"):
        return " "
    return "".join(_plain(child) for child in node.children)


def _inline(node: SyntaxTreeNode) -> str:
    return _inline_nodes(node.children)


def _inline_nodes(children: Sequence[SyntaxTreeNode]) -> str:
    out: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text" or kind == "html_inline":
            out.append(escape_markdown(child.content))
        elif kind == "code_inline":
            out.append(_code(child.content))
        elif kind in ("softbreak", "hardbreak"):
            out.append("  \n")
        elif kind == "strong":
            out.append(f"**{_inline(child)}**")
        elif kind == "em":
            out.append(f"*{_inline(child)}*")
        elif kind == "s":
            out.append(f"~~{_inline(child)}~~")
        elif kind == "link":
            href = str(child.attrs.get("href", ""))
            label = _plain(child).strip()
            shown = escape_markdown(label) if label and label != href else ""
            out.append(f"{shown} ({_code(href)})" if shown and href else (shown or _code(href)))
        elif kind == "image":
            alt = _plain(child).strip()
            out.append(f"\\[{_BLOCKED_IMAGE}: {escape_markdown(alt)}\\]" if alt else f"\\[{_BLOCKED_IMAGE}\\]")
        else:  # anything newer the parser may learn: its text only
            out.append(escape_markdown(_plain(child)))
    return "".join(out)


def _item(item: SyntaxTreeNode, kind: str, number: int) -> str:
    marker = f"{number}. " if kind == "ordered_list" else "- "
    body = "\n\n".join(_block(child) for child in item.children).split("\n")
    return "\n".join([marker + body[0]] + [" " * len(marker) + line if line else "" for line in body[1:]])


def _block(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "paragraph":
        return "".join(_inline(child) for child in node.children)
    if kind == "inline":
        return _inline(node)
    if kind == "heading":
        return f"**{''.join(_inline(child) for child in node.children)}**"
    if kind in ("bullet_list", "ordered_list"):
        start = int(node.attrs.get("start", 1) or 1)
        return "\n".join(_item(item, kind, number) for number, item in enumerate(node.children, start=start))
    if kind == "blockquote":
        inner = "\n\n".join(_block(child) for child in node.children)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind in ("fence", "code_block"):
        content = node.content.rstrip("\n")
        longest = max((len(run) for run in re.findall(r"`{3,}", content)), default=2)
        fence = "`" * (longest + 1)
        return f"{fence}\n{content}\n{fence}"
    if kind == "hr":
        return "---"
    if kind == "html_block":
        return "  \n".join(escape_markdown(line) for line in node.content.rstrip("\n").split("\n"))
    if kind == "table":
        rows = [row for section in node.children for row in section.children]
        lines = []
        for index, row in enumerate(rows):
            cells = ["".join(_inline(child) for child in cell.children) for cell in row.children]
            lines.append("| " + " | ".join(cells) + " |")
            if index == 0:
                lines.append("|" + "---|" * len(cells))
        return "\n".join(lines)
    return escape_markdown(_plain(node))


_NEWLINES = re.compile(r"\r\n?")  # what the parser itself turns into "\n" before it reads
_BREAKS = ("softbreak", "hardbreak")


class StreamSanitiser:
    """:func:`safe_markdown` of a text that arrives in pieces: ``feed(delta)`` returns exactly
    ``safe_markdown(text so far)`` but parses only the part that may still change (re-parsing the whole answer
    after every delta grew with the square of its length).

    What is final is kept rendered: a top-level block once the next block has started and that block's first
    two lines are complete (what ends a block is decided by the line that starts the next one and, for a
    table, the line after it); the items of a long list likewise, once the next item starts at the margin; the
    lines of a long paragraph (개조식 □/○ lines are one paragraph) once the next two lines are in it and
    nothing on them can reach another line (emphasis left open, code, HTML, a link that goes on). The rest is
    parsed again, the kept part of an open paragraph or list standing in as one line ("x", "- x"). A link
    reference definition can change what came before it: after one, every delta re-renders the whole text.
    """

    def __init__(self) -> None:
        self._text: list[str] = []  # the whole text, normalised, for the full re-render
        self._after_cr = False
        self._done = ""  # the final blocks, rendered and joined
        self._region = ""  # the text that may still change, from the start of a block
        self._open: str | None = None  # the kind of block whose kept part is the region's first line
        self._kept = ""  # that part, rendered
        self._number = 1  # an open ordered list: the number of the first item after the kept ones
        self._full = False

    def feed(self, delta: str) -> str:
        if self._after_cr and delta.startswith("\n"):
            delta, self._after_cr = delta[1:], False  # "\r\n" split across deltas is one line end
        if delta:
            self._after_cr = delta.endswith("\r")
        delta = _NEWLINES.sub("\n", delta).replace("\0", "\ufffd")
        self._text.append(delta)
        if not self._full:
            self._region += delta
            shown = self._render()
            if shown is not None:
                return shown
            self._full = True
        return safe_markdown("".join(self._text))

    def _render(self) -> str | None:
        env: dict[str, object] = {}
        nodes = SyntaxTreeNode(_PARSER.parse(self._region, env)).children
        if env.get("references"):
            return None
        if self._open and not (nodes and nodes[0].map and nodes[0].map[0] == 0
                               and nodes[0].type in ((self._open, "heading") if self._open == "paragraph"
                                                     else (self._open,))):
            return None  # the kept part's stand-in does not open the region's first block: never expected
        blocks = [self._open_block(node) if index == 0 and self._open else _block(node)
                  for index, node in enumerate(nodes)]
        shown = "\n\n".join(block for block in [self._done, *blocks] if block.strip())
        lines = self._region.split("\n")  # the last one is still being written
        for index in range(len(nodes) - 1, 0, -1):
            start = nodes[index].map[0]  # type: ignore[index]  # every block token has its lines
            if start + 1 < len(lines) - 1:  # the next block's first two lines are complete
                self._done = "\n\n".join(block for block in [self._done, *blocks[:index]] if block.strip())
                self._region, self._open, self._kept = "\n".join(lines[start:]), None, ""
                return shown
        if len(nodes) == 1 and nodes[0].type == "paragraph":
            self._keep_lines(nodes[0], lines)
        elif len(nodes) == 1 and nodes[0].type in ("bullet_list", "ordered_list"):
            self._keep_items(nodes[0], lines)
        return shown

    def _open_block(self, node: SyntaxTreeNode) -> str:
        if self._open != "paragraph":
            items = node.children[1:]  # after the stand-in
            return "\n".join([self._kept, *(_item(item, node.type, number)
                                            for number, item in enumerate(items, start=self._number))])
        kids = node.children[0].children
        body = self._kept + ("  \n" + _inline_nodes(kids[2:]) if len(kids) > 1 else "")
        return f"**{body}**" if node.type == "heading" else body

    def _keep_lines(self, node: SyntaxTreeNode, lines: list[str]) -> None:
        start, end = node.map  # type: ignore[misc]  # a block node always has its line map
        groups: list[list[SyntaxTreeNode]] = [[]]
        for kid in node.children[0].children:
            if kid.type in _BREAKS:
                groups.append([])
            else:
                groups[-1].append(kid)
        first = start + 1 if self._open else start
        kept: list[str] = []
        # Line i is in the paragraph for good once line i + 1 is complete and in it too.
        for line in range(first, min(end, len(lines) - 1) - 1):
            group = groups[line - start] if line - start < len(groups) else None
            if group is None or not _closed(lines[line], group, line == start and not self._open):
                break
            kept.append(_inline_nodes(group))
        if kept:
            self._kept = "  \n".join([self._kept, *kept] if self._open else kept)
            self._open, self._region = "paragraph", "x\n" + "\n".join(lines[first + len(kept) :])

    def _keep_items(self, node: SyntaxTreeNode, lines: list[str]) -> None:
        items, first = node.children, 1 if self._open else 0
        number = self._number if self._open else int(node.attrs.get("start", 1) or 1)
        kept: list[str] = []
        for index in range(first, len(items) - 1):
            start = items[index + 1].map[0]  # type: ignore[index]  # every block token has its lines
            # The item ends for good once the next one starts at the margin and its first two lines are complete.
            if start + 1 >= len(lines) - 1 or lines[start][:1] in (" ", "\t"):
                break
            kept.append(_item(items[index], node.type, number + len(kept)))
            resume = start
        if kept:
            self._kept = "\n".join([self._kept, *kept] if self._open else kept)
            self._open, self._number = node.type, number + len(kept)
            marker = ("1" if node.type == "ordered_list" else "") + node.markup
            self._region = f"{marker} x\n" + "\n".join(lines[resume:])


def _closed(line: str, group: Sequence[SyntaxTreeNode], opens_paragraph: bool) -> bool:
    """Whether nothing on this paragraph line can reach another line, whatever comes next."""
    if any(mark in line for mark in ("`", "<", "](", "~~")):
        return False  # code spans, HTML, link destinations and strikethrough may go on
    if opens_paragraph and line.lstrip(" \t").startswith("[") and ("]:" in line or "\\" in line):
        return False  # may become a link reference definition
    depth = 0
    for char in line:
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
    if depth:
        return False  # a bracket left open may close on a later line
    stack = list(group)
    while stack:
        node = stack.pop()
        if node.type in _BREAKS or (node.type == "text" and ("*" in node.content or "_" in node.content)):
            return False  # emphasis across lines, or a delimiter a later line may close
        stack.extend(node.children)
    return True
