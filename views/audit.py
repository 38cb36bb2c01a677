"""감사 기록: sign-ins, uploads, deletions, exports and account changes, for system administrators."""

from __future__ import annotations

import streamlit as st

from seoulai.services import SeoulAIError
from seoulai.ui import get_person, get_services

services = get_services()
person = get_person()
st.title("🧾 감사 기록")
try:
    table = services.accounts.audit_log(person)
except SeoulAIError as error:
    st.warning(error.message, icon="🔒")
    st.stop()
if table.empty:
    st.info("아직 감사 기록이 없습니다.", icon="📭")
else:
    st.dataframe(table, hide_index=True, use_container_width=True)
