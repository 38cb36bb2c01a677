"""Streamlit helpers shared by the pages. The only package of seoulai that imports streamlit."""

from seoulai.services import StreamSanitiser, escape_markdown, safe_markdown
from seoulai.ui.departments import render_departments
from seoulai.ui.state import get_health, get_person, get_services

__all__ = ["StreamSanitiser", "escape_markdown", "get_health", "get_person", "get_services", "render_departments",
           "safe_markdown"]
