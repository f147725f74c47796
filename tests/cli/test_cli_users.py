"""``saudager user`` as an administrator runs it: real processes on a fresh home."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from saudager.settings import load_settings
from saudager.wiring import build_services

PASSWORD = "correct horse battery"


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    # Light argon2 is not a setting: the real defaults run here, as they would for a seller.
    env.update(SAUDAGER_HOME=str(home), SAUDAGER_LOG_LEVEL="WARNING", COLUMNS="200")
    return env


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args],
        input=stdin, capture_output=True, text=True, env=_env(home), timeout=120, check=False,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )  # fmt: skip


def _fails(result: subprocess.CompletedProcess[str], says: str) -> None:
    assert result.returncode == 1, result
    assert says in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line


def test_users_roles_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    assert _run(tmp_path, "shop", "add", "demo").returncode == 0
    added = _run(
        tmp_path, "user", "add", "Alice", "--password-stdin", "--name", "Алиса",
        "--language", "en", "--shop", "demo", "--role", "owner", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "alice" in added.stdout and "owner of shop demo" in added.stdout

    short = _run(tmp_path, "user", "add", "bob", "--password-stdin", stdin="tiny-pw\n")
    _fails(short, "password: expected at least 10 characters, got 7")
    assert "tiny-pw" not in short.stderr
    _fails(
        _run(tmp_path, "user", "add", "ALICE", "--password-stdin", stdin=PASSWORD + "\n"),
        "the username 'alice' is taken",
    )
    _fails(_run(tmp_path, "user", "add", "bob"), "use --password-stdin")
    _fails(_run(tmp_path, "user", "add", "bob", "--shop", "demo"), "--shop and --role go together")
    nowhere = _run(
        tmp_path, "user", "add", "bob", "--password-stdin", "--shop", "nope", "--role", "viewer",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    _fails(nowhere, "no shop named 'nope'")

    assert _run(tmp_path, "user", "add", "bob", "--password-stdin", stdin=PASSWORD).returncode == 0
    _fails(_run(tmp_path, "user", "grant", "bob", "demo", "boss"), "role 'boss': expected one of")
    _fails(_run(tmp_path, "user", "grant", "bob", "nope", "viewer"), "no shop named 'nope'")
    _fails(_run(tmp_path, "user", "grant", "carol", "demo", "viewer"), "no user named 'carol'")
    assert _run(tmp_path, "user", "grant", "bob", "demo", "viewer").returncode == 0

    listed = _run(tmp_path, "user", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    users = {u["username"]: u for u in json.loads(listed.stdout)["users"]}
    assert users["alice"]["display_name"] == "Алиса" and users["alice"]["language"] == "en"
    assert [(s["shop"], s["role"]) for s in users["alice"]["shops"]] == [("demo", "owner")]
    assert [(s["shop"], s["role"]) for s in users["bob"]["shops"]] == [("demo", "viewer")]
    table = _run(tmp_path, "user", "list")
    assert "demo: owner" in table.stdout and "demo: viewer" in table.stdout

    assert _run(tmp_path, "user", "revoke", "bob", "demo").returncode == 0
    _fails(_run(tmp_path, "user", "revoke", "bob", "demo"), "bob is not a member of shop demo")

    issued = _run(tmp_path, "user", "token", "alice", "--name", "ci")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("sgr_") and "\n" not in token and "shown once" in issued.stderr
    _fails(_run(tmp_path, "user", "token", "nobody"), "no user named 'nobody'")

    services = build_services(load_settings(None, home=tmp_path))
    try:
        user = services.accounts.token_user(token)
        assert user is not None and user.username == "alice"
        _, session = services.accounts.login("alice", PASSWORD, "127.0.0.1")
        assert session.user == user
    finally:
        services.close()
    assert token.encode() not in (tmp_path / "saudager.db").read_bytes()

    changed = _run(
        tmp_path, "user", "password", "alice", "--password-stdin", stdin="new passphrase 2\n"
    )
    assert changed.returncode == 0, changed.stderr


def _answer_prompts(home: Path, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, typing ``answers`` at each prompt it shows."""
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "saudager", *args],
        stdin=child, stdout=child, stderr=child, env=_env(home), start_new_session=True,
    )  # fmt: skip
    os.close(child)
    seen, pending = b"", list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 1024)
            except OSError:  # the terminal closed: the process has finished
                break
            if not chunk:
                break
            seen += chunk
            # ": " with its space: getpass writes the space once echo is off.
            if pending and seen.endswith(b": "):
                os.write(main, pending.pop(0).encode() + b"\n")
                seen += b"\n"
        elif process.poll() is not None:
            break
    os.close(main)
    return process.wait(timeout=60), seen.decode(errors="replace")


def test_the_password_is_asked_twice_without_echo_on_a_terminal(tmp_path: Path) -> None:
    code, shown = _answer_prompts(tmp_path, ["user", "add", "dana"], [PASSWORD, PASSWORD])
    assert code == 0, shown
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert "Password: " in plain and "Repeat for confirmation: " in plain
    assert "Added user dana (id 1)." in plain
    assert PASSWORD not in shown  # not echoed
