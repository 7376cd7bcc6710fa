"""Page weight in a real browser: the bytes a phone transfers for the pages people
open first — the answer page (a client's e-mailed link), the member dashboard, the
board's quality review and the client portal —, on a first visit (empty cache)
and on a second one (the same page again, cache kept).

The app runs on loopback with the demo data (``flask demo load``) in a temporary
SQLite file made for this run and removed after it; Debian's Chromium is driven by
Playwright with a phone's viewport and user agent (Playwright's "Pixel 7"). The
bytes are those on the wire: each response's headers plus its encoded
(compressed) body, as Chromium reports them. Our goals (issue 14): member
dashboard < 800 KB on a first visit, answer page < 60 KB.

With ``--lighthouse``, Lighthouse (``npx lighthouse``, from the npm registry,
run with the same Chromium, mobile preset) scores the answer page and the member
dashboard as well (goals ≥ 95 and ≥ 90).

Run: ``python -m benchmarks.page_weight`` (about 20 s; 2 minutes with Lighthouse).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEVICE = "Pixel 7"
GOALS_KB = {"answer page": 60, "member dashboard": 800}
LIGHTHOUSE_GOALS = {"answer page": 95, "member dashboard": 90}


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def _links(app: Any) -> dict[str, str]:
    """An answer link (a campaign made due now and sent) and a portal sign-in link,
    read from the e-mails the app queued, as the client receives them."""
    from sqlalchemy import select, update

    from core.database import utcnow
    from core.extensions import db
    from core.mail_bodies import message_content
    from core.models import OutboxMessage
    from dashboards import services as dashboards
    from members.models import ClientContact
    from satisfaction import services as satisfaction
    from satisfaction.models import Campaign

    with app.app_context():
        now = utcnow()
        first = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        db.session.execute(
            update(Campaign)
            .where(Campaign.id == first)
            .values(next_run_at=now - timedelta(minutes=1))
        )
        db.session.commit()
        satisfaction.send_due_invitations(now)
        contact = db.session.scalars(select(ClientContact).limit(1)).one()
        dashboards.request_portal_link(contact.email, now=now)
        # Invitations share their body: the links are filled in when sent.
        bodies = [
            message_content(message).text
            for message in db.session.scalars(
                select(OutboxMessage).order_by(OutboxMessage.id.desc())
            )
        ]
    found: dict[str, str] = {}
    for body in bodies:
        for name, pattern in (
            ("answer", r"https?://\S+/s/[A-Za-z0-9_=-]+"),
            ("portal", r"https?://\S+/portal/link/\S+"),
        ):
            match = re.search(pattern, body)
            if match and name not in found:
                found[name] = re.sub(r"^https?://[^/]+", "", match.group(0))
    missing = {"answer", "portal"} - set(found)
    if missing:
        raise SystemExit(f"no {', '.join(sorted(missing))} link in the queued e-mails")
    return found


@contextmanager
def _served(app: Any) -> Iterator[str]:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _transferred(page: Any, path: str) -> tuple[int, int]:
    """(bytes on the wire, requests) for one navigation, until the network is idle."""
    responses: list[Any] = []

    def keep(response: Any) -> None:
        responses.append(response)

    page.on("response", keep)
    page.goto(path, wait_until="networkidle")
    page.remove_listener("response", keep)
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
    return total, len(responses)


def _sign_in(context: Any, email: str, password: str) -> None:
    """Through the API request context: the browser's cache stays empty."""
    form = context.request.get("/login").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    context.request.post(
        "/login",
        form={
            "csrf_token": token.group(1) if token else "",
            "email": email,
            "password": password,
        },
    )


def measure(
    base_url: str, links: dict[str, str], chromium: str
) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    from dashboards.pdf import CHROMIUM_ARGS
    from members.demo import BOARD_EMAIL, DEMO_PASSWORD, demo_logins

    member = next(email for role, email in demo_logins() if role == "member admin")
    pages = [
        ("answer page", links["answer"], None),
        ("member dashboard", "/dashboard", member),
        ("board review", "/board/review", BOARD_EMAIL),
        ("portal", links["portal"], None),
    ]
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        for name, path, email in pages:
            context = browser.new_context(
                **playwright.devices[DEVICE], base_url=base_url, locale="fr-FR"
            )
            if email:
                _sign_in(context, email, DEMO_PASSWORD)
            page = context.new_page()
            first, requests = _transferred(page, path)
            # A second visit in a new tab of the same browser (a reload would
            # revalidate everything); a single-use link has redirected: revisit
            # where it led.
            second, _ = _transferred(context.new_page(), page.url)
            rows.append(
                {"page": name, "first": first, "second": second, "requests": requests}
            )
            context.close()
        browser.close()
    return rows


def session_cookie(app: Any, email: str) -> str:
    """A signed-in session's ``Cookie`` header (signed in through the login form)."""
    from members.demo import DEMO_PASSWORD

    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    client.post(
        "/login",
        data={
            "csrf_token": token.group(1) if token else "",
            "email": email,
            "password": DEMO_PASSWORD,
        },
    )
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    if cookie is None:
        raise SystemExit(f"could not sign in as {email}")
    return f"{cookie.key}={cookie.value}"


def _seconds(audits: dict[str, Any], name: str) -> float:
    return round(float(audits[name]["numericValue"]) / 1000, 2)


def lighthouse(
    base_url: str, pages: dict[str, tuple[str, str | None]], chromium: str
) -> dict[str, Any]:
    """Lighthouse's mobile performance score per page (``npx lighthouse``)."""
    npx = shutil.which("npx")
    if npx is None:
        return {name: "npx not found" for name in pages}
    scores: dict[str, Any] = {}
    for name, (path, cookie) in pages.items():
        headers = ["--extra-headers", json.dumps({"Cookie": cookie})] if cookie else []
        done = subprocess.run(
            [
                npx,
                "--yes",
                "lighthouse@12",
                base_url + path,
                "--only-categories=performance",
                "--output=json",
                "--quiet",
                "--chrome-flags=--headless=new --no-sandbox",
                *headers,
            ],
            env={**os.environ, "CHROME_PATH": chromium},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            scores[name] = f"failed: {done.stderr.strip()[-200:]}"
            continue
        report = json.loads(done.stdout)
        audits = report["audits"]
        scores[name] = {
            "performance": round(report["categories"]["performance"]["score"] * 100),
            "interactive_s": _seconds(audits, "interactive"),
            "largest_contentful_paint_s": _seconds(audits, "largest-contentful-paint"),
            "total_blocking_time_s": _seconds(audits, "total-blocking-time"),
            "speed_index_s": _seconds(audits, "speed-index"),
            "layout_shift": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        }
    return scores


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--lighthouse",
        action="store_true",
        help="also score the answer page and the member dashboard with Lighthouse",
    )
    args = parser.parse_args(argv)

    from dashboards.pdf import find_chromium

    chromium = find_chromium(os.environ.get("CHROMIUM_PATH"))
    if not chromium:
        raise SystemExit("Chromium is needed: `make browser` installs Debian's.")
    with tempfile.TemporaryDirectory(prefix="qc-weight-") as folder:
        url = f"sqlite:///{Path(folder) / 'weight.db'}"
        env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py"}
        _flask(env, "db", "upgrade")
        _flask(env, "demo", "load")
        os.environ["DATABASE_URL"] = url
        from core import create_app

        app = create_app()
        links = _links(app)
        with _served(app) as base_url:
            app.config["BASE_URL"] = base_url
            rows = measure(base_url, links, chromium)
            print(f"Bytes transferred on a phone ({DEVICE}), headers + encoded bodies:")
            print(
                f"{'page':<18}{'first visit':>14}{'second':>10}{'requests':>10}  goal"
            )
            for row in rows:
                goal = GOALS_KB.get(row["page"])
                verdict = ""
                if goal is not None:
                    ok = row["first"] < goal * 1000
                    verdict = f"< {goal} KB: {'met' if ok else 'NOT met'}"
                print(
                    f"{row['page']:<18}{row['first'] / 1000:>11.1f} KB"
                    f"{row['second'] / 1000:>7.1f} KB{row['requests']:>10}  {verdict}"
                )
            if args.lighthouse:
                from members.demo import demo_logins

                member = next(e for role, e in demo_logins() if role == "member admin")
                # The answer link opens again (single use means one response).
                scored = lighthouse(
                    base_url,
                    {
                        "answer page": (links["answer"], None),
                        "member dashboard": (
                            "/dashboard",
                            session_cookie(app, member),
                        ),
                    },
                    chromium,
                )
                print("Lighthouse (mobile), performance:")
                for name, score in scored.items():
                    goal = LIGHTHOUSE_GOALS[name]
                    print(f"  {name:<18}{score}  (goal ≥ {goal})")


if __name__ == "__main__":
    main()
