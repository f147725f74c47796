"""Local stand-ins for the outside world the notifiers talk to, served over real loopback.

- ``FakeTelegram``: the Bot API's ``sendMessage`` (Starlette under uvicorn in a thread). It
  records messages, checks the HTML our notifier sends the way Telegram's parser would refuse
  it, answers 401 for a wrong token, and plays scripted answers (429 with ``retry_after``, 500).
- ``FakeSmtp``: enough of an SMTP server for ``smtplib`` (EHLO/HELO, STARTTLS, AUTH PLAIN and
  LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT; implicit TLS too), on ``socketserver`` threads. It
  records messages and plays scripted replies (``451`` on MAIL, ``550`` on RCPT).
- ``make_certificate``: a self-signed certificate for 127.0.0.1, and a client context trusting
  it, so STARTTLS and implicit TLS are tested with verification on.

Also the helpers the tests share (``TOKEN``, ``RecordedSleeps``, ``make_alert``): they live
here, not in ``conftest.py``, which is not meant to be imported.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import re
import socket
import socketserver
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from saudager.domains.quality.alerts import Alert, AlertKind, Language, Severity

LOOPBACK = "127.0.0.1"

TOKEN = "123456789:AAE-fake_Token_for_tests_only_0123456"


class RecordedSleeps(list[float]):
    """Stands in for ``time.sleep``: the notifier's waits are recorded, not slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_alert(
    title: str = "«Techno Life»: Доля отмен по вине продавца за порогом Kaspi — 3,25\u00a0%",
    text: str = "Доля отмен по вине продавца: 3,25\u00a0% — порог Kaspi (3\u00a0%) пройден.\n"
    "Что делать: обновите остатки.",
    language: Language = Language.RU,
) -> Alert:
    return Alert(
        shop_id=7,
        kind=AlertKind.CRITICAL,
        severity=Severity.CRITICAL,
        subject="seller_cancellations",
        episode="2026-03-10",
        raised_at=datetime(2026, 3, 10, 6, 0, tzinfo=UTC),
        language=language,
        title=title,
        text=text,
    )


# ---- Telegram ------------------------------------------------------------------------------

#: Tags Telegram's HTML parse mode accepts (a subset is enough for what we send).
_TAGS = re.compile(
    r"</?(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler)>|<a href=\"[^\"<>]*\">|</a>"
)
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def telegram_plain_text(markup: str) -> str | None:
    """The text Telegram would show for ``markup`` in HTML mode, or ``None`` where Telegram
    answers "can't parse entities" (a stray ``<`` or ``&``)."""
    stripped = _TAGS.sub("", markup)
    if "<" in stripped or ">" in stripped:
        return None
    if "&" in _ENTITY.sub("", stripped):
        return None
    return (
        stripped.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&amp;", "&")
    )  # fmt: skip


@dataclass
class FakeTelegram:
    token: str
    known_chats: set[str] = field(default_factory=lambda: {"-100123", "42"})
    messages: list[dict[str, Any]] = field(default_factory=list)
    scripted: deque[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=deque)
    requests: int = 0
    base_url: str = ""

    def answer_next(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """The next request gets this answer instead of being served."""
        self.scripted.append((status, body, headers or {}))

    def rate_limit_next(self, retry_after: int, times: int = 1) -> None:
        for _ in range(times):
            self.answer_next(429, {"ok": False, "error_code": 429,
                                   "description": f"Too Many Requests: retry after {retry_after}",
                                   "parameters": {"retry_after": retry_after}})  # fmt: skip

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        for _ in range(times):
            self.answer_next(status, {"ok": False, "error_code": status,
                                      "description": "Internal Server Error"})  # fmt: skip

    def app(self) -> Starlette:
        async def method(request: Request) -> JSONResponse:
            self.requests += 1
            if request.path_params["token"] != self.token:
                return JSONResponse(
                    {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
                )
            if self.scripted:
                status, body, headers = self.scripted.popleft()
                return JSONResponse(body, status, headers=headers)
            if request.path_params["method"] != "sendMessage":
                return JSONResponse(
                    {"ok": False, "error_code": 404, "description": "Not Found"}, 404
                )
            if request.headers.get("content-type", "").startswith("application/json"):
                params = await request.json()
            else:
                params = dict(await request.form())
            chat_id, text = str(params.get("chat_id", "")), str(params.get("text", ""))
            if chat_id not in self.known_chats:
                return _bad_request("Bad Request: chat not found")
            shown = text
            if params.get("parse_mode") == "HTML":
                parsed = telegram_plain_text(text)
                if parsed is None:
                    return _bad_request("Bad Request: can't parse entities")
                shown = parsed
            if not shown.strip():
                return _bad_request("Bad Request: message text is empty")
            if len(shown.encode("utf-16-le")) // 2 > 4096:
                return _bad_request("Bad Request: message is too long")
            self.messages.append({**params, "shown": shown})
            message = {"message_id": len(self.messages), "date": int(time.time()),
                       "chat": {"id": int(chat_id), "type": "private"}, "text": shown}  # fmt: skip
            return JSONResponse({"ok": True, "result": message})

        return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["GET", "POST"])])


def _bad_request(description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": 400, "description": description}, 400)


@contextmanager
def running_telegram(token: str) -> Iterator[FakeTelegram]:
    fake = FakeTelegram(token)
    server = uvicorn.Server(
        uvicorn.Config(fake.app(), host=LOOPBACK, port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="fake-telegram", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fake Telegram server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.base_url = f"http://{LOOPBACK}:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
    return port


# ---- TLS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path
    pem: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Verifies the server against this certificate, hostname (IP) check included."""
        return ssl.create_default_context(cadata=self.pem)


def make_certificate(folder: Path) -> Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_file, key_file = folder / "smtp.crt", folder / "smtp.key"
    cert_file.write_text(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )  # fmt: skip
    return Certificate(cert_file, key_file, pem)


# ---- SMTP ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_to: list[str]
    data: bytes
    user: str | None
    tls: bool


@dataclass
class FakeSmtp:
    """Configuration and record of one fake SMTP server."""

    starttls: ssl.SSLContext | None = None  # offer STARTTLS with this server context
    implicit_tls: ssl.SSLContext | None = None  # TLS from the first byte (SMTPS)
    users: dict[str, str] = field(default_factory=dict)  # offer AUTH and require it
    reject_rcpt: set[str] = field(default_factory=set)
    messages: list[ReceivedMail] = field(default_factory=list)
    scripted: dict[str, deque[str]] = field(default_factory=dict)  # verb → replies to play
    connections: int = 0
    commands: list[str] = field(default_factory=list)
    port: int = 0

    def reply_next(self, verb: str, reply: str) -> None:
        """The next ``verb`` (``MAIL``, ``RCPT``, ``DATA``) is answered ``reply``."""
        self.scripted.setdefault(verb, deque()).append(reply)

    def _scripted(self, verb: str) -> str | None:
        queue = self.scripted.get(verb)
        return queue.popleft() if queue else None


class _SmtpSession(socketserver.BaseRequestHandler):
    server: _SmtpServer

    def setup(self) -> None:
        self.fake = self.server.fake
        self.fake.connections += 1
        self.sock: socket.socket = self.request
        self.tls = False
        self.user: str | None = None
        self.mail_from: str | None = None
        self.rcpt: list[str] = []

    def finish(self) -> None:
        # socketserver closes the plain socket it accepted; a TLS wrapper around it is ours.
        reader = getattr(self, "reader", None)
        if reader is not None:
            reader.close()
        if self.sock is not self.request:
            self.sock.close()

    def send(self, *lines: str) -> None:
        self.sock.sendall("".join(f"{line}\r\n" for line in lines).encode())

    def readline(self) -> str:
        return self.reader.readline().decode("utf-8", "replace").rstrip("\r\n")

    def handle(self) -> None:
        try:
            if self.fake.implicit_tls is not None:
                self.sock = self.fake.implicit_tls.wrap_socket(self.sock, server_side=True)
                self.tls = True
            self.reader = self.sock.makefile("rb")
            self.send("220 fake.smtp ESMTP ready")
            while True:
                line = self.reader.readline()
                if not line:
                    return
                command = line.decode("utf-8", "replace").rstrip("\r\n")
                verb, _, argument = command.partition(" ")
                verb = verb.upper()
                self.fake.commands.append(verb)
                if not self.dispatch(verb, argument):
                    return
        except (ssl.SSLError, ConnectionError, OSError):
            return  # the client hung up or refused our certificate: nothing to record

    def dispatch(self, verb: str, argument: str) -> bool:
        fake = self.fake
        if verb == "EHLO":
            features = ["8BITMIME", "SIZE 10485760"]
            if fake.starttls is not None and not self.tls:
                features.append("STARTTLS")
            if fake.users and (self.tls or fake.starttls is None):
                features.append("AUTH PLAIN LOGIN")
            self.send("250-fake.smtp", *(f"250-{f}" for f in features[:-1]), f"250 {features[-1]}")
        elif verb == "HELO":
            self.send("250 fake.smtp")
        elif verb == "STARTTLS":
            if fake.starttls is None or self.tls:
                self.send("502 5.5.1 not offered")
                return True
            self.send("220 2.0.0 go ahead")
            self.sock = fake.starttls.wrap_socket(self.sock, server_side=True)
            self.reader = self.sock.makefile("rb")
            self.tls, self.user, self.mail_from, self.rcpt = True, None, None, []
        elif verb == "AUTH":
            self.authenticate(argument)
        elif verb == "MAIL":
            if fake.users and self.user is None:
                self.send("530 5.7.0 authentication required")
            elif scripted := fake._scripted("MAIL"):
                self.send(scripted)
            else:
                self.mail_from = _address(argument)
                self.rcpt = []
                self.send("250 2.1.0 ok")
        elif verb == "RCPT":
            address = _address(argument)
            if self.mail_from is None:
                self.send("503 5.5.1 MAIL first")
            elif scripted := fake._scripted("RCPT"):
                self.send(scripted)
            elif address in fake.reject_rcpt:
                self.send("550 5.1.1 no such mailbox")
            else:
                self.rcpt.append(address)
                self.send("250 2.1.5 ok")
        elif verb == "DATA":
            if not self.rcpt or self.mail_from is None:
                self.send("503 5.5.1 RCPT first")
                return True
            self.send("354 end with <CRLF>.<CRLF>")
            chunks: list[bytes] = []
            while True:
                raw = self.reader.readline()
                if not raw or raw == b".\r\n":
                    break
                chunks.append(raw[1:] if raw.startswith(b"..") else raw)
            if scripted := fake._scripted("DATA"):
                self.send(scripted)
            else:
                fake.messages.append(ReceivedMail(self.mail_from, list(self.rcpt), b"".join(chunks),
                                                  self.user, self.tls))  # fmt: skip
                self.send("250 2.0.0 queued")
            self.mail_from, self.rcpt = None, []
        elif verb == "RSET":
            self.mail_from, self.rcpt = None, []
            self.send("250 2.0.0 ok")
        elif verb == "NOOP":
            self.send("250 2.0.0 ok")
        elif verb == "QUIT":
            self.send("221 2.0.0 bye")
            return False
        else:
            self.send("502 5.5.2 unknown command")
        return True

    def authenticate(self, argument: str) -> None:
        mechanism, _, initial = argument.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            if not initial:
                self.send("334 ")
                initial = self.readline()
            _, user, password = base64.b64decode(initial).decode().split("\0")
        elif mechanism == "LOGIN":
            self.send("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.readline()).decode()
            self.send("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.readline()).decode()
        else:
            self.send("504 5.5.4 unrecognised mechanism")
            return
        if self.fake.users.get(user) == password:
            self.user = user
            self.send("235 2.7.0 authenticated")
        else:
            self.send("535 5.7.8 authentication credentials invalid")


def _address(argument: str) -> str:
    match = re.search(r"<([^>]*)>", argument)
    return match.group(1) if match else argument.split(":", 1)[-1].strip()


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeSmtp) -> None:
        self.fake = fake
        super().__init__((LOOPBACK, 0), _SmtpSession)


@contextmanager
def running_smtp(fake: FakeSmtp) -> Iterator[FakeSmtp]:
    server = _SmtpServer(fake)
    fake.port = server.server_address[1]
    # A short poll interval: shutdown() waits for it, once per test.
    thread = threading.Thread(
        target=server.serve_forever, args=(0.02,), name="fake-smtp", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
