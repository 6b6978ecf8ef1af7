"""A webhook receiver on 127.0.0.1 (http.server in a thread) that answers as each test scripts."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hub.webhooks import services
from hub.webhooks.subscriptions import forget


class Receiver:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple] = []  # (status, body, headers, delay) per request, then 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status, text, headers, delay = (
                        receiver.answers.pop(0) if receiver.answers else (200, "ok", {}, 0)
                    )
                if delay:
                    time.sleep(delay)
                payload = text.encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def answer(self, status, text="", headers=None, delay=0.0, times=1):
        self.answers.extend([(status, text, headers or {}, delay)] * times)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    forget()
    yield
    forget()


@pytest.fixture
def make_endpoint(db):
    def make(url, event_types, description="CRM"):
        endpoint, secret = services.create_endpoint(
            url=url, description=description, event_types=event_types, by=None
        )
        endpoint.plain_secret = secret
        return endpoint

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(func, *args, **kwargs): call it, then run what it left for after commit (the
    test's own transaction never commits), as a real request's commit would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run
