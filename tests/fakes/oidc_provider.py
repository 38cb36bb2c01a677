"""A small OpenID Connect provider for tests: discovery, JWKS and the token endpoint, with RS256-signed ID tokens.

The browser leg (the provider's own login screen) is skipped: a test reads ``state`` and ``nonce`` from the
authorization redirect, registers the claims for a code with :meth:`FakeIdentityProvider.issue`, and calls the
app's /oauth2callback itself. The app's server then redeems the code here, as it would at the city's SSO.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from joserfc import jwt
from joserfc.jwk import RSAKey


class FakeIdentityProvider:
    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, dict[str, Any]] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # quiet
                pass

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # http.server's name
                if self.path == "/.well-known/openid-configuration":
                    self._json(provider.metadata())
                elif self.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
                claims = provider.codes.pop(form.get("code", [""])[0], None)
                if self.path != "/token" or claims is None:
                    self.send_error(400)
                    return
                self._json({"access_token": "access-" + str(time.time()), "token_type": "Bearer", "expires_in": 3600,
                            "id_token": provider.id_token(claims)})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def metadata(self) -> dict[str, Any]:
        return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]}

    def issue(self, code: str, nonce: str, **claims: str) -> None:
        """The next token request with ``code`` gets an ID token with these claims."""
        self.codes[code] = {"nonce": nonce, **claims}

    def id_token(self, claims: dict[str, Any]) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 600, **claims}
        return jwt.encode({"alg": "RS256", "kid": "test"}, payload, self.key)

    def __enter__(self) -> FakeIdentityProvider:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
