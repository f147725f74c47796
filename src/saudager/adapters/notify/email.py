"""Alerts by e-mail over SMTP (``smtplib``): STARTTLS, implicit TLS or plain; login optional.

One plain-text UTF-8 message per alert. Connection failures, timeouts and 4xx answers (the
server's "try again later") are retried with back-off; 5xx answers and a refused login are
final. Errors never carry the password.
"""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from enum import StrEnum

from saudager.domains.quality.alerts import Alert, Language
from saudager.domains.quality.ports import NotifyError

log = logging.getLogger(__name__)


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)
    NONE = "none"  # no encryption: only towards a relay on a trusted network


class EmailError(NotifyError):
    """The SMTP server refused the alert or could not be reached after every retry."""


class EmailNotifier:
    """Mails each alert to a fixed list of recipients."""

    name = "email"

    def __init__(
        self,
        host: str,
        *,
        sender: str,
        recipients: Sequence[str],
        port: int = 587,
        security: SmtpSecurity = SmtpSecurity.STARTTLS,
        username: str | None = None,
        password: str | None = None,
        timeout_seconds: float = 30.0,
        max_retries: int = 2,
        backoff_seconds: float = 2.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not host:
            raise ValueError("an SMTP host is required")
        if not parseaddr(sender)[1]:
            raise ValueError("a sender address is required")
        addresses = [parseaddr(r)[1] for r in recipients]
        if not addresses or not all(addresses):
            raise ValueError("at least one recipient address is required")
        if password and not username:
            raise ValueError("an SMTP password without a user name")
        self._host, self._port, self._security = host, port, SmtpSecurity(security)
        self._sender = sender
        self._recipients = list(recipients)
        self._envelope_to = addresses
        self._username, self._password = username, password
        self._timeout = timeout_seconds
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        # The system's trust store and hostname checks; tests pass a context trusting their CA.
        self._ssl_context = ssl_context or ssl.create_default_context()
        # smtplib would ask the resolver for our FQDN on every connection; a fixed name is
        # quicker and says who is sending.
        self._local_hostname = local_hostname or "saudager.localhost"
        self._sleep = sleep
        self._rng = rng or random.Random()

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail for ``alert`` (UTF-8 subject and body, RFC 3834 auto-generated)."""
        message = EmailMessage()
        message["Subject"] = f"[Saudager] {alert.title}"
        message["From"] = self._sender
        message["To"] = ", ".join(self._recipients)
        message["Date"] = format_datetime(alert.raised_at)
        domain = parseaddr(self._sender)[1].rpartition("@")[2] or "saudager.localhost"
        message["Message-ID"] = make_msgid("alert", domain=domain)
        # Keeps vacation responders from answering, and lets a mail filter file the alerts.
        message["Auto-Submitted"] = "auto-generated"
        message["X-Saudager-Alert"] = alert.key
        footer = (
            "Saudager — уведомление о качестве"
            if alert.language is Language.RU
            else ("Saudager — quality alert")
        )
        # base64: Cyrillic in quoted-printable would be six characters a letter, and 8bit is not
        # safe towards a server that does not offer 8BITMIME.
        message.set_content(f"{alert.text}\n\n-- \n{footer}\n", charset="utf-8", cte="base64")
        return message

    def send(self, alert: Alert) -> None:
        message = self.message(alert)
        attempt = 0
        while True:
            try:
                self._deliver(message)
                return
            except smtplib.SMTPAuthenticationError as exc:
                raise EmailError(
                    f"the SMTP server {self._where} refused the login of "
                    f"'{self._username}' ({exc.smtp_code}): check alerts_smtp_username and "
                    "alerts_smtp_password"
                ) from None
            except smtplib.SMTPNotSupportedError as exc:
                raise EmailError(f"the SMTP server {self._where}: {self._scrub(exc)}") from None
            except smtplib.SMTPRecipientsRefused as exc:
                refused = ", ".join(sorted(exc.recipients))
                raise EmailError(
                    f"the SMTP server {self._where} refused every recipient ({refused}): check "
                    "alerts_email_to"
                ) from None
            except smtplib.SMTPResponseException as exc:
                failure = f"{exc.smtp_code} {self._scrub(exc.smtp_error)}"
                if not 400 <= exc.smtp_code < 500:
                    raise EmailError(
                        f"the SMTP server {self._where} refused alert {alert.key}: {failure}"
                    ) from None
            except (smtplib.SMTPException, OSError) as exc:
                # Connection refused, reset or timed out; TLS handshake failures are OSErrors too.
                failure = f"{type(exc).__name__}: {self._scrub(exc)}"
            if attempt >= self._max_retries:
                raise EmailError(
                    f"could not mail alert {alert.key} through {self._where} after "
                    f"{attempt + 1} attempts: {failure}"
                )
            delay = self._rng.uniform(0, self._backoff * (2**attempt))
            log.warning("SMTP %s: %s; retrying in %.2f s", self._where, failure, delay)
            self._sleep(delay)
            attempt += 1

    @property
    def _where(self) -> str:
        return f"{self._host}:{self._port}"

    def _scrub(self, error: object) -> str:
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return text.replace(self._password, "****") if self._password else text

    def _deliver(self, message: EmailMessage) -> None:
        smtp: smtplib.SMTP
        if self._security is SmtpSecurity.TLS:
            smtp = smtplib.SMTP_SSL(
                self._host, self._port, local_hostname=self._local_hostname,
                timeout=self._timeout, context=self._ssl_context,
            )  # fmt: skip
        else:
            smtp = smtplib.SMTP(
                self._host, self._port, local_hostname=self._local_hostname, timeout=self._timeout
            )
        with smtp:
            smtp.ehlo()
            if self._security is SmtpSecurity.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise smtplib.SMTPNotSupportedError(
                        "does not offer STARTTLS; set alerts_smtp_security to 'tls' for port "
                        "465, or to 'none' only towards a relay on a trusted network"
                    )
                smtp.starttls(context=self._ssl_context)
                smtp.ehlo()
            if self._username:
                smtp.login(self._username, self._password or "")
            refused = smtp.send_message(
                message, from_addr=parseaddr(self._sender)[1], to_addrs=self._envelope_to
            )
        if refused:
            # The others got it: the alert is delivered; say who did not.
            log.warning("SMTP %s refused some recipients: %s", self._where, ", ".join(refused))
