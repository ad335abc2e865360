"""The soak's people: users browsing their organisation, staff on the admin, analysts starting scans.

Each runs in its own thread until ``stop`` is set, thinks 1-5 s between
visits, and records every request (page, start, end, outcome) in the shared
``Recorder``. Scans started are recorded with the source they scanned, so
the report can hold each one's stored findings against the expected count.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass

from bench.lib.soak.fixtures import Source
from bench.lib.soak.http import CSRF_FIELD, Browser, Journal, Record, Recorder, error_kind, outcome_of

SCAN_LINK = re.compile(rb'href="/scans/(\d+)/"')
FORM_ERROR = re.compile(rb'role="alert">(.*?)\n|class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', re.S)
# (page, weight): what a compliance officer opens, and how often.
VISITS = [("dashboard", 20), ("scans", 14), ("scan", 14), ("findings", 14), ("progress", 4),
          ("export", 6), ("report", 4), ("sessions", 8), ("billing", 8)]
FINDING_FILTERS = ["", "?severity=4", "?severity=3", "?entity=EMAIL", "?entity=IBAN", "?entity=PHONE"]
EXPORTS = ["csv", "json", "sarif"]


@dataclass
class Person:
    username: str
    org: int
    role: str
    cookies: dict[str, str]
    staff: bool = False


@dataclass
class StartedScan:
    scan_id: int | None
    source: Source
    submitted: float
    outcome: str  # "queued", "refused: <message>" or the error kind
    user: str = ""


ScanLog = Journal[StartedScan]


def _timed(recorder: Recorder, browser: Browser, page: str, user: str, path: str,
           expect: tuple[int, ...] = (200,)):
    started = time.monotonic()
    try:
        response = browser.get(path)
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the user
        recorder.add(Record(page, started, time.monotonic(), error_kind(exc), user))
        return None
    recorder.add(Record(page, response.started, response.ended, outcome_of(response, expect), user))
    return response


def browse(person: Person, base_url: str, recorder: Recorder, stop: threading.Event, seed: int) -> None:
    """A compliance officer's day: dashboard, scans, a scan, its findings, exports, sessions, billing."""
    rnd = random.Random(seed)
    browser = Browser(base_url, person.cookies)
    pages, weights = zip(*VISITS, strict=True)
    scan_ids: list[int] = []
    stop.wait(rnd.uniform(0, 5))  # users do not all arrive in the same second
    while not stop.is_set():
        page = rnd.choices(pages, weights)[0]
        if page in {"scan", "findings", "progress", "export", "report"} and not scan_ids:
            page = "scans"
        scan = rnd.choice(scan_ids) if scan_ids else 0
        path = {
            "dashboard": "/", "scans": "/scans/", "sessions": "/account/sessions/", "billing": "/billing/",
            "scan": f"/scans/{scan}/", "findings": f"/scans/{scan}/findings/{rnd.choice(FINDING_FILTERS)}",
            "progress": f"/scans/{scan}/progress/", "report": f"/scans/{scan}/report/",
            "export": f"/scans/{scan}/export.{rnd.choice(EXPORTS)}",
        }[page]
        response = _timed(recorder, browser, page, person.username, path)
        if response is not None and response.status == 200 and page in {"scans", "dashboard"}:
            found = [int(n) for n in SCAN_LINK.findall(response.body)]
            if found:
                scan_ids = found[:25]
        stop.wait(rnd.uniform(1.0, 5.0))
    browser.close()


def administer(person: Person, base_url: str, recorder: Recorder, stop: threading.Event, seed: int,
               admin_pages: list[str]) -> None:
    """A platform admin: changelists of scans, findings, sessions, and the performance pages."""
    rnd = random.Random(seed)
    browser = Browser(base_url, person.cookies)
    while not stop.is_set():
        path = rnd.choice(admin_pages)
        page = "admin_performance" if path.startswith("/admin/performance/") else "admin"
        _timed(recorder, browser, page, person.username, path)
        stop.wait(rnd.uniform(1.0, 5.0))
    browser.close()


class ScanStarter:
    """An analyst who starts scans through the form, one every ``interval`` seconds (jittered)."""

    def __init__(self, person: Person, base_url: str, recorder: Recorder, log: ScanLog,
                 sources: list[Source], interval: float, seed: int):
        self.person, self.base_url, self.recorder, self.log = person, base_url, recorder, log
        self.sources = sources
        self.interval = interval
        self.rnd = random.Random(seed)

    def start_now(self, source: Source) -> None:
        """Start ``source`` at once, in a thread of its own (the fault runner asks)."""
        browser = Browser(self.base_url, self.person.cookies, timeout=120)
        threading.Thread(target=self.submit, args=(browser, source), daemon=True).start()

    def _next_source(self) -> Source:
        ordinary = [s for s in self.sources if not s.big]
        weights = [0.3 if s.expected is None else 3 if s.kind == "upload" else 1 for s in ordinary]
        return self.rnd.choices(ordinary, weights)[0]

    def run(self, stop: threading.Event) -> None:
        browser = Browser(self.base_url, self.person.cookies, timeout=120)
        while not stop.wait(self.rnd.uniform(0.5, 1.5) * self.interval):
            self.submit(browser, self._next_source())
        browser.close()

    def submit(self, browser: Browser, source: Source) -> None:
        user = self.person.username
        form = _timed(self.recorder, browser, "scan_form", user, "/scans/new/")
        if form is None or form.status != 200:
            self.log.add(StartedScan(None, source, time.monotonic(), "form unavailable", user))
            return
        token = CSRF_FIELD.search(form.body)
        fields = {"kind": "documents", "source": source.kind}
        if token:
            fields["csrfmiddlewaretoken"] = token.group(1).decode()
        if source.kind == "folder":
            fields["folder"] = source.folder
        elif source.kind == "database":
            fields["database_url"] = source.database_url
        page = f"start_{source.kind}"
        started = time.monotonic()
        try:
            files = source.files if source.kind == "upload" else ()
            response = browser.post_form("/scans/new/", fields, files)
        except Exception as exc:  # noqa: BLE001
            kind = error_kind(exc)
            self.recorder.add(Record(page, started, time.monotonic(), kind, user))
            self.log.add(StartedScan(None, source, started, kind, user))
            return
        match = re.match(r"/scans/(\d+)/$", response.location)
        if response.status == 302 and match:
            self.recorder.add(Record(page, response.started, response.ended, "ok", user))
            self.log.add(StartedScan(int(match.group(1)), source, started, "queued", user))
            return
        if response.status == 400:
            found = [re.sub(rb"<[^>]+>", b" ", b"".join(m)).decode(errors="replace")
                     for m in FORM_ERROR.findall(response.body)]
            text = " ".join(" ".join(found).split()) or "a form error without a message"
            # A refusal with a reason the user can read is the product working as meant.
            self.recorder.add(Record(page, response.started, response.ended, "refused_with_reason", user))
            self.log.add(StartedScan(None, source, started, f"refused: {text}", user))
            return
        kind = outcome_of(response, (302,))
        self.recorder.add(Record(page, response.started, response.ended, kind, user))
        self.log.add(StartedScan(None, source, started, kind, user))
