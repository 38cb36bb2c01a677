"""Process-wide services and cached health, keyed by the SEOULAI_* environment.

``st.cache_resource`` objects are shared by every session of the process, so what is cached here must be
thread-safe (Services is). Keying by the environment lets tests run app.py under different settings.
"""

from __future__ import annotations

import os

import streamlit as st

from seoulai.auth.people import Person
from seoulai.config import Settings
from seoulai.llm.health import HealthReport, check_health
from seoulai.services import Services, build_services


def _env_key() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SEOULAI_")))


@st.cache_resource(show_spinner=False)
def _services_for(key: tuple[tuple[str, str], ...]) -> Services:
    return build_services(Settings())


def get_services() -> Services:
    return _services_for(_env_key())


@st.cache_data(ttl=20, show_spinner=False)
def _health_for(key: tuple[tuple[str, str], ...]) -> HealthReport:
    return check_health(Settings())


def get_health() -> HealthReport:
    """The backends' state, re-probed at most every 20 seconds for all sessions together."""
    return _health_for(_env_key())


def get_person() -> Person:
    """The person using this session.

    Until sign-in is configured (SEOULAI_AUTH__MODE=local or oidc), every session is the one demo person
    of a single-user evaluation; the sidebar says so.
    """
    person = st.session_state.get("auth_person")
    if isinstance(person, Person):
        return person
    settings = get_services().settings
    if settings.auth.mode != "none":
        # A page opened without passing the sign-in gate in app.py.
        st.warning("로그인이 필요합니다. 첫 화면에서 로그인하세요.", icon="🔒")
        st.stop()
    return Person(id="demo", name="시범 사용자", department=settings.auth.demo_department,
                  role=settings.auth.demo_role)
