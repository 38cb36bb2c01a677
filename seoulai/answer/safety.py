"""Make untrusted text (model output, document passages) safe to show with st.markdown.

Streamlit does not render raw HTML unless asked, but Markdown itself can load outside images
(``![x](http://...)``) and make links. Images are removed, links are reduced to their text, bare URLs are
shown as code (not linked), and HTML angle brackets are escaped.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\s*(\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\]\s*\(([^)]*)\)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_URL = re.compile(r"(?<!`)\b(?:https?|ftp|file|data|javascript):[^\s`]+", re.IGNORECASE)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def safe_markdown(text: str) -> str:
    """Model output for st.markdown: no images, no links, no HTML; bullets and bold still render."""
    text = _IMAGE.sub(lambda m: f"[이미지 차단됨: {m.group(1)}]" if m.group(1) else "[이미지 차단됨]", text)
    text = _REF_DEF.sub("", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _URL.sub(lambda m: f"`{m.group(0)}`", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def escape_markdown(text: str) -> str:
    """Document text shown verbatim: every Markdown control character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)
