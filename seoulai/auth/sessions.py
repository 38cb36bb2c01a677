"""Sign-in sessions: a random token in a signed, HttpOnly, expiring cookie, the session itself server-side.

The cookie carries ``itsdangerous``' signature and timestamp over a 256-bit random token; the state store
keeps only the token's SHA-256 with the person (whose id names the account) and the expiry, so signing out, a
password reset or a disabled account revokes sessions on every server at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

from seoulai.auth.people import Person
from seoulai.state.stores import SessionStore

COOKIE = "seoulai_session"


class Sessions:
    def __init__(self, store: SessionStore, secret: str, minutes: int) -> None:
        self.store = store
        self.max_age = minutes * 60
        self.signer = URLSafeTimedSerializer(secret, salt="seoulai-session")

    def open(self, person: Person) -> str:
        """A new session for the person; returns the cookie value."""
        token = secrets.token_urlsafe(32)
        self.store.create(_digest(token), person.to_json(), time.time() + self.max_age)
        return self.signer.dumps(token)

    def open_if_current(self, person: Person, stamp: str) -> str | None:
        """A new session for a local account whose password (hash ``stamp``) was just checked, or None when the
        password was reset or the account disabled since: the check and the session are not one step."""
        token = secrets.token_urlsafe(32)
        if not self.store.create(_digest(token), person.to_json(), time.time() + self.max_age, stamp=stamp):
            return None
        return self.signer.dumps(token)

    def _token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return str(self.signer.loads(cookie, max_age=self.max_age))
        except BadSignature:  # also SignatureExpired
            return None

    def person(self, cookie: str | None) -> Person | None:
        token = self._token(cookie)
        if token is None:
            return None
        data = self.store.get(_digest(token))
        return Person.from_json(data) if data else None

    def key(self, cookie: str | None) -> str:
        """How the store names the session of ``cookie`` ("" for none): to keep it while others end."""
        token = self._token(cookie)
        return _digest(token) if token is not None else ""

    def close(self, cookie: str | None) -> None:
        token = self._token(cookie)
        if token is not None:
            self.store.revoke(_digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
