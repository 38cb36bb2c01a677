"""The city's SSO through Streamlit's st.login (OpenID Connect): configuration check and claim mapping.

The login round trip needs the identity provider and cannot run on the build machines; what can be
checked is that the [auth] secrets are complete and that claims map to a person of the org chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seoulai.auth.people import Person
from seoulai.auth.roles import Role
from seoulai.errors import InputError

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
