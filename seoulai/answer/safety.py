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
    out: list[str] = []
    for child in node.children:
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
        items = []
        for number, item in enumerate(node.children, start=start):
            marker = f"{number}. " if kind == "ordered_list" else "- "
            body = "\n\n".join(_block(child) for child in item.children).split("\n")
            items.append("\n".join([marker + body[0]] + [" " * len(marker) + line if line else "" for line in body[1:]]))
        return "\n".join(items)
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
