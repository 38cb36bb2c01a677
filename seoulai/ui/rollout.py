"""The announcement banner on top of every page, and the 준비 중 page for people whose unit is not open yet.

app.py draws both after sign-in and before the navigation; when the unit is not open it stops there, so no page
script runs whatever the URL asked for (Streamlit runs app.py first for every page of st.navigation).
"""

from __future__ import annotations

import streamlit as st

from seoulai.services import Access, Person, Services, escape_markdown
from seoulai.ui.login import sign_out_button


def announcement_banner(services: Services) -> None:
    """Today's announcements, the newest first: 점검 안내 as a warning, the others as information. The body is
    shown as plain text (escaped line by line, never Markdown or HTML)."""
    for notice in services.rollout.announcements():
        body = "  \n".join(escape_markdown(line) for line in notice.body.splitlines())
        text = f"**{notice.kind_label}** · {body}"
        if notice.urgent:
            st.warning(text, icon="🛠️")
        else:
            st.info(text, icon="📢")


def rollout_gate(services: Services, person: Person) -> bool:
    """True when ``person`` may use the product today; else only the 준비 중 page was drawn (the caller stops)."""
    access = services.rollout.status(person)
    if access.open:
        return True
    # One hidden page: no navigation and no page names, and the URL's page (a deep link) is never run.
    st.navigation([st.Page(lambda: _preparing(services, access), title="준비 중", icon="🚧", url_path="preparing")],
                  position="hidden").run()
    return False


def _preparing(services: Services, access: Access) -> None:
    st.title("🚧 준비 중입니다")
    st.info(escape_markdown(access.message()), icon="📅")
    st.caption("서울시 행정 AI 도우미는 부서별로 차례로 개통하고 있습니다. 개통일부터 이 주소에서 바로 쓸 수 있습니다.")
    sign_out_button(services)
