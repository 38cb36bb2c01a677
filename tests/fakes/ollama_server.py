"""A small HTTP server that speaks Ollama's REST protocol, for tests and load checks.

The real Ollama binary cannot be installed on the build machines, so tests drive the real ``ollama``
client (through LlamaIndex) against this server. It listens on 127.0.0.1 on a random port, answers
/api/chat (JSON and streamed NDJSON), /api/generate, /api/embed, /api/embeddings, /api/show,
/api/tags, /api/ps and /api/version, plus the OpenAI-compatible /v1/chat/completions, /v1/embeddings
and /v1/models that vLLM serves. Replies are scripted; every request is recorded; faults can be
injected (503 overloaded, slow first token, connection cut mid-stream, 404 model not found).

Run standalone for manual or browser testing: ``python tests/fakes/ollama_server.py --port 11434``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from tests.fakes.protocol import EMBED_DIM, Faults, RecordedRequest, Reply, _now, fake_embedding, split_tokens

__all__ = ["EMBED_DIM", "FakeOllama", "Faults", "RecordedRequest", "Reply", "fake_embedding", "split_tokens"]


class FakeOllama:
    """The scripted state shared by all request threads."""

    def __init__(self, models: tuple[str, ...] = ("seoulai", "bge-m3"), context_length: int = 8192) -> None:
        self.models = [self._tag(m) for m in models]
        self.context_length = context_length
        self.requests: list[RecordedRequest] = []
        self._replies: deque[Reply] = deque()
        self.responder: Callable[[dict[str, Any]], str | Reply] | None = None
        self.default_reply = Reply()
        self.sticky_fault: str | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _tag(name: str) -> str:
        return name if ":" in name else f"{name}:latest"

    # -- scripting -----------------------------------------------------------------
    def script(self, *replies: str | Reply) -> None:
        """Queue replies for the next chat/generate requests (then the responder or the default)."""
        with self._lock:
            for reply in replies:
                self._replies.append(reply if isinstance(reply, Reply) else Reply(content=reply))

    def fail_next(self, fault: str, **kwargs: Any) -> None:
        """Inject a fault into the next chat/generate request."""
        if fault not in Faults:
            raise ValueError(f"unknown fault {fault!r}")
        self.script(Reply(fault=fault, **kwargs))

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()
            self.responder = None
            self.sticky_fault = None
            self.default_reply = Reply()

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in ("/api/chat", "/api/generate", "/v1/chat/completions")]

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        if self.sticky_fault:
            return Reply(fault=self.sticky_fault)
        if self.responder is not None:
            produced = self.responder(body)
            return produced if isinstance(produced, Reply) else Reply(content=produced)
        return self.default_reply

    def has_model(self, name: str) -> bool:
        return self._tag(name) in self.models

    def record(self, method: str, path: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, body))

    # -- lifecycle -----------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        handler = type("BoundHandler", (_Handler,), {"state": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOllama":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    state: FakeOllama
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet server
        return

    # -- plumbing ------------------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return {"_raw": raw.decode("utf-8", "replace")}

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.state.record("GET", self.path, {})
        if self.path == "/":
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/api/version":
            self._json(200, {"version": "0.12.6"})
        elif self.path == "/api/tags":
            self._json(200, {"models": [self._model_entry(m) for m in self.state.models]})
        elif self.path == "/api/ps":
            self._json(200, {"models": []})
        elif self.path == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m.split(":")[0], "object": "model"}
                                                        for m in self.state.models]})
        else:
            self._error(404, "404 page not found")

    def do_POST(self) -> None:
        body = self._body()
        self.state.record("POST", self.path, body)
        routes = {
            "/api/chat": self._chat,
            "/api/generate": self._generate,
            "/api/embed": self._embed,
            "/api/embeddings": self._embeddings_legacy,
            "/api/show": self._show,
            "/v1/chat/completions": self._openai_chat,
            "/v1/embeddings": self._openai_embed,
        }
        handler = routes.get(self.path)
        if handler is None:
            self._error(404, "404 page not found")
            return
        try:
            handler(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timeout, cancelled stream): nothing left to send to.
            self.close_connection = True

    @staticmethod
    def _model_entry(name: str) -> dict[str, Any]:
        return {
            "name": name, "model": name, "modified_at": _now(), "size": 1_000_000,
            "digest": hashlib.sha256(name.encode()).hexdigest(),
            "details": {"format": "gguf", "family": "gemma3", "parameter_size": "4B",
                        "quantization_level": "Q4_K_M"},
        }

    def _check_model(self, body: dict[str, Any]) -> bool:
        name = str(body.get("model", ""))
        if not self.state.has_model(name):
            self._error(404, f'model "{name}" not found, try pulling it first')
            return False
        return True

    # -- chat / generate -------------------------------------------------------------
    def _chat(self, body: dict[str, Any]) -> None:
        self._complete(body, key="message")

    def _generate(self, body: dict[str, Any]) -> None:
        self._complete(body, key="response")

    def _complete(self, body: dict[str, Any], key: str) -> None:
        if not self._check_model(body):
            return
        reply = self.state.next_reply(body)
        if reply.fault == "overloaded":
            self._error(503, "server busy, please try again.  maximum pending requests exceeded")
            return
        if reply.fault == "not_found":
            self._error(404, f'model "{body.get("model")}" not found, try pulling it first')
            return
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 2 or len(
            str(body.get("prompt", ""))) // 2
        tokens = split_tokens(reply.content)
        stream = body.get("stream", True)
        if reply.first_token_delay:
            time.sleep(reply.first_token_delay)
        if not stream:
            payload = self._chunk(body, key, reply.content, done=True)
            payload.update(self._counts(prompt_tokens, len(tokens)))
            self._json(200, payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for index, token in enumerate(tokens):
            if reply.fault == "cut" and index >= reply.cut_after_tokens:
                # Drop the connection without the terminating chunk: a broken stream.
                self.wfile.flush()
                self.connection.shutdown(2)
                self.close_connection = True
                return
            self._write_chunk(self._chunk(body, key, token, done=False))
            if reply.token_delay:
                time.sleep(reply.token_delay)
        final = self._chunk(body, key, "", done=True)
        final.update(self._counts(prompt_tokens, len(tokens)))
        self._write_chunk(final)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _write_chunk(self, payload: dict[str, Any]) -> None:
        line = (json.dumps(payload, ensure_ascii=False) + "\n").encode("utf-8")
        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        self.wfile.flush()

    @staticmethod
    def _chunk(body: dict[str, Any], key: str, text: str, done: bool) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": body.get("model"), "created_at": _now(), "done": done}
        if key == "message":
            payload["message"] = {"role": "assistant", "content": text}
        else:
            payload["response"] = text
        if done:
            payload["done_reason"] = "stop"
        return payload

    @staticmethod
    def _counts(prompt_tokens: int, eval_tokens: int) -> dict[str, int]:
        return {"total_duration": 1_000_000, "load_duration": 1000, "prompt_eval_count": prompt_tokens,
                "prompt_eval_duration": 1000, "eval_count": eval_tokens, "eval_duration": 1000}

    # -- embeddings --------------------------------------------------------------------
    def _embed(self, body: dict[str, Any]) -> None:
        if not self._check_model(body):
            return
        inputs = body.get("input", "")
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        self._json(200, {"model": body.get("model"), "embeddings": [fake_embedding(t) for t in texts],
                         "total_duration": 1000, "load_duration": 100,
                         "prompt_eval_count": sum(len(t) for t in texts)})

    def _embeddings_legacy(self, body: dict[str, Any]) -> None:
        if not self._check_model(body):
            return
        self._json(200, {"embedding": fake_embedding(str(body.get("prompt", "")))})

    def _show(self, body: dict[str, Any]) -> None:
        name = str(body.get("model") or body.get("name") or "")
        if not self.state.has_model(name):
            self._error(404, f"model '{name}' not found")
            return
        self._json(200, {
            "modelfile": f"FROM {name}", "parameters": "temperature 0.1", "template": "{{ .Prompt }}",
            "details": self._model_entry(name)["details"],
            "model_info": {"general.architecture": "gemma3",
                           "gemma3.context_length": self.state.context_length},
            "capabilities": ["completion"], "modified_at": _now(),
        })

    # -- OpenAI-compatible (vLLM) ---------------------------------------------------------
    def _openai_chat(self, body: dict[str, Any]) -> None:
        if not self._check_model(body):
            return
        reply = self.state.next_reply(body)
        if reply.fault == "overloaded":
            self._json(503, {"error": {"message": "server overloaded", "type": "server_error"}})
            return
        if reply.first_token_delay:
            time.sleep(reply.first_token_delay)
        created = int(time.time())
        if not body.get("stream"):
            self._json(200, {"id": "chatcmpl-fake", "object": "chat.completion", "created": created,
                             "model": body.get("model"),
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": reply.content}}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for token in split_tokens(reply.content):
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                     "model": body.get("model"),
                     "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}]}
            self._write_sse(chunk)
        self._write_sse({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                         "model": body.get("model"),
                         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        data = b"data: [DONE]\n\n"
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n\r\n")
        self.wfile.flush()

    def _write_sse(self, payload: dict[str, Any]) -> None:
        data = ("data: " + json.dumps(payload, ensure_ascii=False) + "\n\n").encode("utf-8")
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _openai_embed(self, body: dict[str, Any]) -> None:
        if not self._check_model(body):
            return
        inputs = body.get("input", "")
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        self._json(200, {"object": "list", "model": body.get("model"),
                         "data": [{"object": "embedding", "index": i, "embedding": fake_embedding(t)}
                                  for i, t in enumerate(texts)],
                         "usage": {"prompt_tokens": 1, "total_tokens": 1}})


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Ollama server for tests and demos")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--models", default="seoulai,bge-m3")
    parser.add_argument("--reply", default=None, help="fixed reply text for every chat request")
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between streamed tokens")
    parser.add_argument("--first-token-delay", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeOllama(models=tuple(args.models.split(",")))
    fake.default_reply = Reply(content=args.reply or Reply().content, token_delay=args.token_delay,
                               first_token_delay=args.first_token_delay)
    url = fake.start(args.host, args.port)
    print(f"fake ollama listening on {url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
