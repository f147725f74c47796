"""A webhook receiver, raw socket servers and a recording httpx transport for the WhatsApp
adapter tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import httpx

from saudager.adapters.whatsapp.webhook import WebhookVerificationError, verify_subscription
from saudager.domains.messaging.provider import TemplateMessage

BUYER = "+77011234567"
VERIFY_TOKEN = "verify-me"


def template(
    to: str = BUYER,
    callback: str = "shop7:512345678:order",
    name: str = "order_received_v1",
    parameters: tuple[str, ...] = ("Айгерим", "512345678", "Чайник", "Tech Shop"),
    url: str | None = None,
    language: str = "ru",
) -> TemplateMessage:
    return TemplateMessage(
        to=to,
        template=name,
        language=language,
        body_parameters=parameters,
        callback_data=callback,
        button_url_parameter=url,
    )


def answering(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> httpx.MockTransport:
    """A transport that records every request in ``seen`` and answers ``answer`` (or raises it)."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handle)


@dataclass
class Receiver:
    """What a webhook endpoint was sent: raw bodies and their signature headers."""

    url: str = ""
    fail_first: int = 0  # answer 500 to this many posts first
    received: list[tuple[bytes, str | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def webhook_receiver(fail_first: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(fail_first=fail_first)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.received.append((body, self.headers.get("X-Hub-Signature-256")))
                failing = receiver.fail_first > 0
                receiver.fail_first -= 1 if failing else 0
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            params = dict(parse_qsl(urlsplit(self.path).query))
            try:
                answer = verify_subscription(params, VERIFY_TOKEN).encode()
                self.send_response(200)
            except WebhookVerificationError:
                answer = b""
                self.send_response(403)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/webhook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server(*, close_after_reading: bool = False) -> Iterator[str]:
    """A raw socket server that reads a request and never answers (or hangs up after reading).

    Yields its base URL; the request counts as sent, so the outcome is unknown.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    held: list[socket.socket] = []

    def run() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(2)
            with suppress(OSError):
                conn.recv(65536)
            if close_after_reading:
                conn.close()
            else:
                held.append(conn)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()
        for conn in held:
            conn.close()


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connecting is refused."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"
