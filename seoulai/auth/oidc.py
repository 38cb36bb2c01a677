"""The city's SSO through Streamlit's st.login (OpenID Connect): configuration check, claim mapping, and the
server-side session that Streamlit's identity cookie is bound to.

Streamlit's identity cookie is signed but lives 30 days and nothing on the server remembers it: signing out only
asks the browser to forget it, so a copy of it kept working. :class:`SsoSessions` records each identity cookie that
Streamlit's own sign-in response sets (by a hash of its value) as a session of the state store: the sign-in gate
lets a browser in only with a recorded, unrevoked, unexpired one; signing out revokes it on every server; and it
ends after ``auth.session_minutes`` like a local sign-in.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.errors import InputError
from seoulai.state.stores import SessionStore

REQUIRED = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def oidc_problems(secrets: Mapping[str, Any]) -> list[str]:
    """Korean descriptions of what is missing or unsafe in .streamlit/secrets.toml's [auth] section."""
    auth = secrets.get("auth")
    if not isinstance(auth, Mapping):
        return ["secrets.toml에 [auth] 항목이 없습니다."]
    problems = [f"[auth] {key} 값이 없습니다." for key in REQUIRED if not auth.get(key)]
    url = str(auth.get("server_metadata_url", ""))
    if url and not url.startswith("https://"):
        problems.append("server_metadata_url은 https 주소여야 합니다.")
    if url and not url.endswith("/.well-known/openid-configuration"):
        problems.append("server_metadata_url은 …/.well-known/openid-configuration 으로 끝나야 합니다.")
    redirect = str(auth.get("redirect_uri", ""))
    if redirect and not redirect.endswith("/oauth2callback"):
        problems.append("redirect_uri는 …/oauth2callback 으로 끝나야 합니다.")
    secret = str(auth.get("cookie_secret", ""))
    if secret and len(secret) < 32:
        problems.append("cookie_secret은 32자 이상의 임의 문자열이어야 합니다.")
    return problems


def person_from_claims(claims: Mapping[str, Any], departments: set[str], department_claim: str = "department",
                       role_claim: str = "role", role_map: Mapping[str, str] | None = None) -> Person:
    """A person from ID-token claims; refuses a department outside the org chart."""
    subject = str(claims.get("sub") or claims.get("email") or "")
    if not subject:
        raise InputError("로그인 정보에 사용자 식별자(sub)가 없습니다. 관리자에게 문의하세요.", code="bad_claims")
    department = str(claims.get(department_claim) or "")
    if department not in departments:
        raise InputError(f"조직도에서 부서를 찾을 수 없습니다({department or '없음'}). 관리자에게 부서 등록을 요청하세요.",
                         code="unknown_department")
    raw_role = str(claims.get(role_claim) or "staff")
    mapped = (role_map or {}).get(raw_role, raw_role)
    role = Role(mapped) if mapped in {r.value for r in Role} else Role.STAFF  # unknown: least privilege
    name = str(claims.get("name") or claims.get("preferred_username") or subject)
    return Person(subject, name, department, role)


# Streamlit's st.login identity cookie; a large one is split into _streamlit_user_1, _streamlit_user_2, ...
IDENTITY_COOKIE = "_streamlit_user"


def identity_cookies(cookies: Mapping[str, str]) -> list[tuple[str, str]]:
    """The identity cookie and its chunks among ``cookies`` (deleted ones, with an empty value, left out)."""
    prefix = IDENTITY_COOKIE + "_"
    return sorted((name, value) for name, value in cookies.items() if value and (
        name == IDENTITY_COOKIE or (name.startswith(prefix) and name[len(prefix):].isdigit())))


def identity_claims(cookies: Mapping[str, str]) -> dict[str, Any]:
    """The claims inside the identity cookie that Streamlit's sign-in response has just set.

    Read without checking the signature: only ever called on the cookies of Streamlit's own /oauth2callback
    response, never on cookies a browser sent (those are checked against :class:`SsoSessions`).
    """
    parts = dict(identity_cookies(cookies))

    def payload(name: str) -> str:
        _, value = URLSafeTimedSerializer("-").loads_unsafe(parts.get(name, ""))
        return value if isinstance(value, str) else ""

    text = payload(IDENTITY_COOKIE)
    if text.startswith("chunks-") and text[7:].isdigit():
        text = "".join(payload(f"{IDENTITY_COOKIE}_{i + 1}") for i in range(int(text[7:])))
    try:
        claims = json.loads(text)
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


class SsoSessions:
    """Server-side sessions for Streamlit's identity cookie, kept in the shared session store."""

    def __init__(self, store: SessionStore, minutes: int) -> None:
        self.store = store
        self.max_age = minutes * 60

    @staticmethod
    def _key(cookies: Mapping[str, str]) -> str | None:
        found = identity_cookies(cookies)
        if not found:
            return None
        joined = "\n".join(f"{name}={value}" for name, value in found)
        return "sso:" + hashlib.sha256(joined.encode()).hexdigest()

    def bind(self, cookies: Mapping[str, str], person: Person) -> None:
        """Record the identity cookie Streamlit has just set for ``person``."""
        key = self._key(cookies)
        if key is not None:
            self.store.create(key, person.to_json(), time.time() + self.max_age)

    def person(self, cookies: Mapping[str, str]) -> Person | None:
        """Whose identity cookie the browser sent, if it is recorded, unrevoked and unexpired."""
        key = self._key(cookies)
        data = self.store.get(key) if key else None
        return Person.from_json(data) if data else None

    def end(self, cookies: Mapping[str, str]) -> Person | None:
        """Revoke the browser's identity cookie on every server; returns whose it was."""
        person = self.person(cookies)
        key = self._key(cookies)
        if key is not None:
            self.store.revoke(key)
        return person
