"""The print stylesheet: a printed answer or draft is the page's content, without the sidebar and the app's chrome.

A constant stylesheet written here, never text from a model or a document (those go through safe_markdown)."""

from __future__ import annotations

import streamlit as st

PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stChatInput"],
  [data-testid="stBottom"] { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] { margin: 0 !important; padding: 0 !important;
    max-width: 100% !important; }
  [data-testid="stExpander"] details { break-inside: avoid; }
}
</style>"""


def print_stylesheet() -> None:
    """Drawn by app.py on every run, so every page prints without the sidebar (a style-only st.html takes no
    space on the page)."""
    st.html(PRINT_CSS)
