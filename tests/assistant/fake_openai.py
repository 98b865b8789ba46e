"""A local HTTP server that speaks enough of the OpenAI chat completions API for the real SDK.

Responses are scripted: each request to POST /v1/chat/completions takes the next step of the script (or
the default step once the script is used up). A step is a response body (dict), `Fail(status)` or
`Delay(seconds, step)`. Every request body is recorded, so tests can see which tools the model was
offered and what the tool results said.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fail:
    status: int = 500
    message: str = "scripted failure"


@dataclass
class Delay:
    seconds: float
    then: Any


def completion(message: dict, finish_reason: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def tool_calls(*calls: tuple[str, dict]) -> dict:
    """A reply that asks for tool calls: tool_calls(("search_catalog", {"query": "bike"}), ...)."""
    return completion(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                for n, (name, args) in enumerate(calls, start=1)
            ],
        },
        "tool_calls",
    )


def text(content: str) -> dict:
    """A final reply."""
    return completion({"role": "assistant", "content": content}, "stop")


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[Any] = []
        self.default: Any = text("(no scripted answer left)")
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def then(self, *steps: Any) -> FakeOpenAI:
        """Append steps to the script."""
        self.script.extend(steps)
        return self

    def _next_step(self, body: dict) -> Any:
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else self.default

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # the name http.server calls for POST
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                body = json.loads(raw or b"{}")
                body["_authorization"] = self.headers.get("Authorization", "")
                step = fake._next_step(body)
                while isinstance(step, Delay):
                    # Wake early when the server stops, so no test waits for a sleeping handler.
                    fake._stopping.wait(step.seconds)
                    step = step.then
                if isinstance(step, Fail):
                    self._send(step.status, {"error": {"message": step.message, "type": "server_error"}})
                else:
                    self._send(200, step)

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler
