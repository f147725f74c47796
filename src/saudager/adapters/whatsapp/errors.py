"""Cloud API error codes and what each means for us (reference/whatsapp.md §2.5).

Decisions rest on the numeric ``code`` (and the HTTP status only when no code came back),
never on titles: Meta rewords titles, codes stay.
"""

from __future__ import annotations

from saudager.core.masking import mask_phone
from saudager.domains.messaging.provider import RefusalKind, SendRefused

KIND_BY_CODE: dict[int, RefusalKind] = {
    130429: RefusalKind.RATE_LIMITED,  # throughput
    131056: RefusalKind.RATE_LIMITED,  # pair rate
    4: RefusalKind.RATE_LIMITED,  # app API-call rate
    80007: RefusalKind.RATE_LIMITED,  # WABA API-call rate
    131000: RefusalKind.PROVIDER_ERROR,  # unknown error
    131016: RefusalKind.PROVIDER_ERROR,  # service unavailable
    131048: RefusalKind.NUMBER_BLOCKED,  # spam rate limit
    131031: RefusalKind.NUMBER_BLOCKED,  # account locked
    368: RefusalKind.NUMBER_BLOCKED,  # temporarily blocked for policy
    132000: RefusalKind.TEMPLATE_UNUSABLE,  # parameter count mismatch
    132001: RefusalKind.TEMPLATE_UNUSABLE,  # template missing in that language
    132012: RefusalKind.TEMPLATE_UNUSABLE,  # parameter format
    132015: RefusalKind.TEMPLATE_UNUSABLE,  # template paused
    132016: RefusalKind.TEMPLATE_UNUSABLE,  # template disabled
    0: RefusalKind.AUTH_FAILED,
    190: RefusalKind.AUTH_FAILED,  # token expired
    131026: RefusalKind.UNREACHABLE,  # no WhatsApp / old app / terms not accepted
    131047: RefusalKind.WINDOW_CLOSED,  # free text outside the 24-hour window
    131049: RefusalKind.USER_LIMIT,  # per-user marketing limit
    131050: RefusalKind.USER_LIMIT,  # buyer stopped marketing messages
    100: RefusalKind.BAD_REQUEST,
    131008: RefusalKind.BAD_REQUEST,
    131009: RefusalKind.BAD_REQUEST,
}

#: The HTTP status Meta answers with for each code (reference §2.5); the fake server uses it.
HTTP_STATUS_BY_CODE: dict[int, int] = {
    132001: 404,
    131031: 403,
    368: 403,
    131000: 500,
    131016: 503,
    0: 401,
    190: 401,
}


def http_status_for(code: int) -> int:
    """The HTTP status of a synchronous error with this code (400 unless listed)."""
    return HTTP_STATUS_BY_CODE.get(code, 400)


def kind_for(code: int | None, http_status: int) -> RefusalKind:
    """What a refusal means for us: by ``code`` when there is one, else by the HTTP status."""
    if code is not None and code in KIND_BY_CODE:
        return KIND_BY_CODE[code]
    if http_status == 429:
        return RefusalKind.RATE_LIMITED
    if http_status >= 500:
        return RefusalKind.PROVIDER_ERROR
    if http_status == 401 and code is None:
        return RefusalKind.AUTH_FAILED
    return RefusalKind.BAD_REQUEST


def e164_digits(to: str) -> str:
    """The digits of an E.164 number (``+77011234567`` → ``77011234567``); a number that is not
    one is refused before anything is sent, named masked."""
    digits = to.removeprefix("+")
    if not to.startswith("+") or not digits.isdigit():
        raise SendRefused(RefusalKind.BAD_REQUEST, f"recipient {mask_phone(to)} is not E.164")
    return digits
