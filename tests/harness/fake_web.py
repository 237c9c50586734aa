"""`fake_web`: a real HTTP server on 127.0.0.1 that stands in for an outside service
(the Parliament Members API, postcodes.io), answering with recorded samples.

The code under test makes real HTTP requests, with its real timeouts and error handling;
only the far end is replaced. Point the client at `fake_web.url` through its setting.

    fake_web.add("/postcodes/SW1A1AA", json=sample)            # 200 with a JSON body
    fake_web.add("/postcodes/ZZ11ZZ", status=404, json={...})  # an error answer
    fake_web.add("/Members/Search", json=page1, query={"skip": "0"})
    fake_web.add("/slow", json={}, delay=5)                     # to provoke a timeout
    fake_web.add("/broken", body=b"<html>not json</html>")

Routes are matched on the path and, when given, on a subset of the query parameters; the
latest matching route wins. Unmatched requests get a 404 with an empty JSON object.
Every request is recorded in `fake_web.requests` as (method, path, query, body).
"""

import json as jsonlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Route:
    path: str
    status: int
    body: bytes
    query: dict = field(default_factory=dict)
    delay: float = 0
    content_type: str = "application/json"


class FakeWeb:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.routes: list[Route] = []
        self.requests: list[tuple[str, str, dict, bytes]] = []

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path, *, json=None, body=None, status=200, query=None, delay=0):
        if body is None:
            body = jsonlib.dumps(json).encode()
        self.routes.append(Route(path, status, body, dict(query or {}), delay))

    def find(self, path: str, query: dict) -> Route | None:
        for route in reversed(self.routes):
            if route.path == path and all(query.get(k) == str(v) for k, v in route.query.items()):
                return route
        return None


def _handler(web: FakeWeb):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            web.requests.append((self.command, parts.path, query, body))
            route = web.find(parts.path, query)
            if route is None:
                route = Route(parts.path, 404, b"{}")
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        do_GET = do_POST = _answer

        def log_message(self, format, *args):
            pass

    return Handler


@pytest.fixture
def fake_web():
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    web = FakeWeb(server)
    server.RequestHandlerClass = _handler(web)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
