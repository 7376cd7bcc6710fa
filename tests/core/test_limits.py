"""Limits that hold: counted once for all of gunicorn's workers (in Redis), per real
client behind a trusted proxy, per account whatever the address; and when Redis is
down the app keeps serving. Real gunicorn workers, a real Redis (127.0.0.1:6379)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(
            "These tests need Redis on 127.0.0.1:6379: `make test` starts it "
            "(or run `redis-server --daemonize yes`)."
        )
    return client


class Server:
    """gunicorn serving the app with two workers, its own SQLite database."""

    def __init__(self, tmp: Path, storage: str) -> None:
        self.port = _free_port()
        self.env = {
            **os.environ,
            "QUALICHARTE_ENV": "testing",
            "SECRET_KEY": "limits-test-secret",
            "DATABASE_URL": f"sqlite:///{tmp / 'limits.db'}",
            "MAIL_URL": "file:",
            "RATELIMIT_STORAGE_URI": storage,
            "TRUSTED_PROXIES": "1",
            "SESSION_COOKIE_SECURE": "0",
        }
        self.env.pop("TEST_DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=2).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail("gunicorn did not answer within a minute")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def sign_in(self, email: str, *, client_address: str) -> int:
        """A browser at ``client_address`` (as the proxy forwards it) opens the
        sign-in page and posts a wrong password; the status of the POST."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"X-Forwarded-For": client_address}
        page = opener.open(urllib.request.Request(self.url("/login"), headers=headers))
        token = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode()
        )
        assert token, "the sign-in page holds a CSRF token"
        body = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "email": email, "password": "wrong"}
        ).encode()
        request = urllib.request.Request(self.url("/login"), body, headers)
        try:
            with opener.open(request) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def stop(self) -> str:
        self.process.terminate()
        try:
            _out, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
        return err.decode(errors="replace")


@pytest.fixture()
def shared_limits(tmp_path: Path) -> Iterator[Server]:
    _redis().flushdb()
    server = Server(tmp_path, REDIS_URL)
    yield server
    server.stop()
    _redis().flushdb()


@pytest.mark.timeout(180)
def test_limits_are_counted_once_for_every_worker_and_per_real_client(
    shared_limits: Server,
) -> None:
    # One client (as forwarded by the proxy), 16 attempts on 16 accounts: the
    # limit is 10 a minute in all, not 10 in each of the two workers.
    one_client = [
        shared_limits.sign_in(f"nobody{i}@example.org", client_address="203.0.113.7")
        for i in range(16)
    ]
    assert one_client.count(400) == 10
    assert one_client.count(429) == 6

    # 16 other clients behind the same proxy each have their own count.
    many_clients = [
        shared_limits.sign_in(
            f"someone{i}@example.org", client_address=f"198.51.100.{i}"
        )
        for i in range(16)
    ]
    assert many_clients == [400] * 16


@pytest.mark.timeout(180)
def test_guesses_on_one_account_are_limited_whatever_the_address(
    shared_limits: Server,
) -> None:
    statuses = [
        shared_limits.sign_in("target@example.org", client_address=f"192.0.2.{i}")
        for i in range(1, 31)
    ]
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}
    # The account is what is limited: another one, from another address, is not.
    other = shared_limits.sign_in("colleague@example.org", client_address="192.0.2.99")
    assert other == 400


@pytest.mark.timeout(180)
def test_when_redis_is_down_the_app_keeps_serving(tmp_path: Path) -> None:
    server = Server(tmp_path, f"redis://127.0.0.1:{_free_port()}/0")
    try:
        statuses = [
            server.sign_in(f"nobody{i}@example.org", client_address="203.0.113.9")
            for i in range(5)
        ]
    finally:
        errors = server.stop()
    assert statuses == [400] * 5
    assert "Traceback" not in errors or "ConnectionError" in errors
