"""The e-mail notifier against the fake SMTP server over real loopback sockets."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from notify_fakes import (
    Certificate,
    FakeSmtp,
    RecordedSleeps,
    closed_port,
    make_alert,
    running_smtp,
)

from saudager.adapters.notify.email import EmailError, EmailNotifier, SmtpSecurity
from saudager.domains.quality.alerts import Alert, Language
from saudager.domains.quality.ports import NotifyError

SENDER = "Saudager <alerts@shop.kz>"
TO = ["owner@shop.kz", "Менеджер <manager@shop.kz>"]


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with running_smtp(FakeSmtp()) as fake:
        yield fake


def mailer(fake: FakeSmtp, sleeps: RecordedSleeps, **options: Any) -> EmailNotifier:
    options.setdefault("security", SmtpSecurity.NONE)
    return EmailNotifier(
        "127.0.0.1", port=fake.port, sender=SENDER, recipients=TO, timeout_seconds=5,
        sleep=sleeps, **options,
    )  # fmt: skip


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_notify_email_sends_utf8_subject_and_body(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    mailer(smtp, sleeps).send(alert)
    [mail] = smtp.messages
    assert mail.mail_from == "alerts@shop.kz"
    assert mail.rcpt_to == ["owner@shop.kz", "manager@shop.kz"]
    assert mail.data.isascii()  # encoded on the wire: any server takes it
    message = parse(mail.data)
    assert message["Subject"] == f"[Saudager] {alert.title}"
    assert message["To"] == "owner@shop.kz, Менеджер <manager@shop.kz>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Saudager-Alert"] == alert.key
    assert message["Date"].datetime == alert.raised_at
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert "3,25\u00a0%" in body and "Что делать" in body
    assert "уведомление о качестве" in body
    assert mail.user is None and not mail.tls


def test_notify_email_footer_follows_the_language(smtp: FakeSmtp, sleeps: RecordedSleeps) -> None:
    mailer(smtp, sleeps).send(
        make_alert(title="Shop: rating 3.9", text="Rating 3.9.", language=Language.EN)
    )
    body = parse(smtp.messages[0].data).get_content()
    assert "Saudager — quality alert" in body


def test_notify_email_starttls_and_login(
    certificate: Certificate, sleeps: RecordedSleeps, alert: Alert
) -> None:
    fake = FakeSmtp(starttls=certificate.server_context(), users={"alerts@shop.kz": "s3cret"})
    with running_smtp(fake):
        mailer(
            fake, sleeps, security=SmtpSecurity.STARTTLS, username="alerts@shop.kz",
            password="s3cret", ssl_context=certificate.client_context(),
        ).send(alert)  # fmt: skip
    [mail] = fake.messages
    assert mail.tls and mail.user == "alerts@shop.kz"
    assert fake.commands[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"]


def test_notify_email_implicit_tls(
    certificate: Certificate, sleeps: RecordedSleeps, alert: Alert
) -> None:
    fake = FakeSmtp(implicit_tls=certificate.server_context())
    with running_smtp(fake):
        mailer(
            fake, sleeps, security=SmtpSecurity.TLS, ssl_context=certificate.client_context()
        ).send(alert)
    assert fake.messages[0].tls


def test_notify_email_refuses_an_untrusted_certificate(
    certificate: Certificate, sleeps: RecordedSleeps, alert: Alert
) -> None:
    fake = FakeSmtp(starttls=certificate.server_context())
    with running_smtp(fake), pytest.raises(EmailError, match=r"after 1 attempts.*CERTIFICATE"):
        # The system's trust store does not know the fake's self-signed certificate.
        mailer(fake, sleeps, security=SmtpSecurity.STARTTLS, max_retries=0).send(alert)
    assert fake.messages == []


def test_notify_email_starttls_missing_is_an_error_not_a_downgrade(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    with pytest.raises(EmailError, match="does not offer STARTTLS"):
        mailer(smtp, sleeps, security=SmtpSecurity.STARTTLS).send(alert)
    assert smtp.messages == [] and sleeps == []


def test_notify_email_wrong_password_is_final_and_not_shown(
    certificate: Certificate, sleeps: RecordedSleeps, alert: Alert
) -> None:
    fake = FakeSmtp(starttls=certificate.server_context(), users={"alerts@shop.kz": "s3cret"})
    with running_smtp(fake), pytest.raises(EmailError, match="alerts_smtp_password") as caught:
        mailer(
            fake, sleeps, security=SmtpSecurity.STARTTLS, username="alerts@shop.kz",
            password="wrong-pass-123", ssl_context=certificate.client_context(),
        ).send(alert)  # fmt: skip
    assert "wrong-pass-123" not in str(caught.value)
    assert sleeps == [] and fake.connections == 1


def test_notify_email_retries_a_temporary_refusal(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    smtp.reply_next("MAIL", "451 4.3.0 try again later")
    mailer(smtp, sleeps, backoff_seconds=1.0).send(alert)
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 1.0
    assert len(smtp.messages) == 1 and smtp.connections == 2


def test_notify_email_permanent_refusal_is_not_retried(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    smtp.reply_next("DATA", "554 5.7.1 message rejected as spam")
    with pytest.raises(EmailError, match=r"554 5\.7\.1 message rejected as spam"):
        mailer(smtp, sleeps).send(alert)
    assert sleeps == [] and smtp.messages == []


def test_notify_email_every_recipient_refused(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert
) -> None:
    smtp.reject_rcpt = {"owner@shop.kz", "manager@shop.kz"}
    with pytest.raises(EmailError, match=r"refused every recipient.*alerts_email_to"):
        mailer(smtp, sleeps).send(alert)


def test_notify_email_some_recipients_refused_still_delivers(
    smtp: FakeSmtp, sleeps: RecordedSleeps, alert: Alert, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.reject_rcpt = {"manager@shop.kz"}
    mailer(smtp, sleeps).send(alert)
    assert smtp.messages[0].rcpt_to == ["owner@shop.kz"]
    assert "manager@shop.kz" in caplog.text


def test_notify_email_unreachable_server(sleeps: RecordedSleeps, alert: Alert) -> None:
    notifier = EmailNotifier(
        "127.0.0.1", port=closed_port(), sender=SENDER, recipients=TO,
        security=SmtpSecurity.NONE, max_retries=2, sleep=sleeps,
    )  # fmt: skip
    with pytest.raises(EmailError, match="after 3 attempts: ConnectionRefusedError") as caught:
        notifier.send(alert)
    assert isinstance(caught.value, NotifyError)
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sender": ""}, "sender"),
        ({"recipients": []}, "recipient"),
        ({"recipients": ["not an address <>"]}, "recipient"),
        ({"password": "x"}, "user name"),
    ],
)
def test_notify_email_checks_its_settings(options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"sender": SENDER, "recipients": TO, **options}
    with pytest.raises(ValueError, match=message):
        EmailNotifier("smtp.example.kz", **arguments)
