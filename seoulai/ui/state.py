"""Process-wide services and cached health (shared by every session, so thread-safe), keyed by the
SEOULAI_* environment so tests can run app.py under different settings."""

from __future__ import annotations

import threading
import time

import streamlit as st

from seoulai.services import HealthReport, Person, Services, process_services


class _Health:
    """The last health report, re-probed at most every ``health_ttl`` seconds for all sessions together."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._lock = threading.Lock()
        self._at = -1e9
        self._report: HealthReport | None = None

    def get(self) -> HealthReport:
        with self._lock:
            if self._report is None or time.monotonic() - self._at > self.services.settings.health_ttl:
                self._report = self.services.health()
                self._at = time.monotonic()
            return self._report


_HEALTH: dict[int, _Health] = {}
_HEALTH_LOCK = threading.Lock()


def get_services() -> Services:
    return process_services()


def get_health() -> HealthReport:
    services = process_services()
    with _HEALTH_LOCK:
        health = _HEALTH.setdefault(id(services), _Health(services))
    return health.get()


def get_person() -> Person:
    """The person using this session (app.py's sign-in gate put them there).

    Until sign-in is configured (SEOULAI_AUTH__MODE=local or oidc), every session is the one demo person
    of a single-user evaluation; the sidebar says so.
    """
    person = st.session_state.get("auth_person")
    if isinstance(person, Person):
        return person
    services = get_services()
    if services.accounts.mode != "none":
        # A page opened without passing the sign-in gate in app.py.
        st.warning("로그인이 필요합니다. 첫 화면에서 로그인하세요.", icon="🔒")
        st.stop()
    return services.accounts.demo_person()
