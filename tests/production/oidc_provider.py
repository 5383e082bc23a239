"""A small OpenID Connect provider for the tests, run as its own process (no internet):
`python tests/production/oidc_provider.py PORT CLIENT_ID CLIENT_SECRET`.

It implements what the portal uses of a real provider: discovery, /authorize (the code flow with
PKCE S256; it consents at once for the person the test chose), /token (checks the client's secret,
the redirect address and the PKCE verifier, then issues an RS256 id_token with iss, aud, exp, iat,
nonce, email, email_verified and amr), /userinfo (Bearer access token) and /jwks.

The test chooses who logs in next, and how the provider misbehaves, with POST /_test/next (JSON):
{"claims": {...}, "amr": [...], "acr": "...", "aud": "another-client", "exp_in": -60}. GET
/_test/log lists the requests the provider answered (to check what the portal sent).

Written with the standard library's http.server and the pinned PyJWT and cryptography, rather than
django-oidc-provider or pyop: neither is needed by the portal itself, and a page of code shows every
check the portal relies on, including the ones a test breaks on purpose.
"""

import base64
import hashlib
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "test-key-1"


class Provider:
    def __init__(self, issuer, client_id, client_secret):
        self.issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lock = threading.Lock()
        self.next_login = {"claims": {"sub": "nobody", "email": "nobody@inserm.fr", "email_verified": True}}
        self.codes = {}
        self.access_tokens = {}
        self.log = []

    def jwks(self):
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query):
        """Returns (status, headers, body)."""
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"error": "unauthorized_client"}
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {}, {"error": "invalid_request", "error_description": "PKCE S256 is required"}
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "login": self.next_login,
                "nonce": query.get("nonce"),
                "challenge": query["code_challenge"],
                "redirect_uri": query["redirect_uri"],
            }
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": target}, None

    def token(self, form, authorization):
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _sep, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return 401, {}, {"error": "invalid_client"}
        with self.lock:
            grant = self.codes.pop(form.get("code"), None)  # a code is good once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {}, {"error": "invalid_grant"}
        verifier = form.get("code_verifier") or ""
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant["challenge"]:
            return 400, {}, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        login = grant["login"]
        claims = login["claims"]
        now = int(time.time())
        id_claims = {
            "iss": login.get("iss", self.issuer),
            "sub": claims["sub"],
            "aud": login.get("aud", self.client_id),
            "iat": now,
            "exp": now + login.get("exp_in", 300),
            "nonce": grant["nonce"],
            "email": claims.get("email"),
            "email_verified": claims.get("email_verified"),
            "amr": login.get("amr", ["pwd"]),
        }
        if login.get("acr"):
            id_claims["acr"] = login["acr"]
        id_token = jwt.encode(id_claims, self.key, algorithm="RS256", headers={"kid": KID})
        access_token = secrets.token_urlsafe(24)
        with self.lock:
            self.access_tokens[access_token] = claims
        return 200, {}, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def userinfo(self, authorization):
        claims = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if claims is None:
            return 401, {}, {"error": "invalid_token"}
        return 200, {}, claims


def make_handler(provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet: the test reads /_test/log instead
            pass

        def answer(self, status, headers, body):
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            provider.log.append({"method": "GET", "path": url.path, "params": query})
            if url.path == "/.well-known/openid-configuration":
                return self.answer(200, {}, provider.discovery())
            if url.path == "/jwks":
                return self.answer(200, {}, provider.jwks())
            if url.path == "/authorize":
                return self.answer(*provider.authorize(query))
            if url.path == "/userinfo":
                return self.answer(*provider.userinfo(self.headers.get("Authorization", "")))
            if url.path == "/_test/log":
                return self.answer(200, {}, provider.log)
            return self.answer(404, {}, {"error": "not_found"})

        def do_POST(self):
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path == "/_test/next":
                provider.next_login = json.loads(raw)
                provider.log.clear()
                return self.answer(204, {}, None)
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            provider.log.append({"method": "POST", "path": url.path, "params": form})
            if url.path == "/token":
                return self.answer(*provider.token(form, self.headers.get("Authorization", "")))
            return self.answer(404, {}, {"error": "not_found"})

    return Handler


def main(port, client_id, client_secret):
    issuer = f"http://127.0.0.1:{port}"
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), make_handler(Provider(issuer, client_id, client_secret)))
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:4])
