"""서울시 행정 AI 도우미 — Streamlit entry point: page config, navigation and the sidebar status only."""

from __future__ import annotations

import streamlit as st

from seoulai.ui.state import get_health
from seoulai.ui.widgets import sidebar_status

st.set_page_config(page_title="서울시 행정 AI 도우미", page_icon="🏛️", layout="wide")

pages = {
    "": [st.Page("pages/home.py", title="홈", icon="🏠", default=True)],
}

navigation = st.navigation(pages)
sidebar_status(get_health())
navigation.run()
