"""The HTML report in headless Chromium: no console error, no network, every section, a screenshot.

Drives Chromium through the Chrome DevTools Protocol over a websocket
(``websocket-client``, in the ``dev`` extra): no browser download, no driver.
Skips when Chromium or websocket-client is absent.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from procmine import EventLog, InformationItem
from procmine.report import SECTION_KEYS, SECTION_TITLES, build_report, write_report

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "out" / "browser"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (scripts/setup.sh --dev installs it)")


class Cdp:
    """A minimal Chrome DevTools Protocol client: commands and the events seen so far."""

    def __init__(self, ws_url: str) -> None:
        websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params: object) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == my_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        for seen in self.events:
            if seen["method"] == method:
                return seen
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        """Collect events for a while (late requests, late console messages)."""
        self.ws.settimeout(0.2)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                message = json.loads(self.ws.recv())
            except Exception:  # websocket timeout: nothing more yet
                continue
            if "method" in message:
                self.events.append(message)
        self.ws.settimeout(30)

    def requested(self) -> list[str]:
        """Every URL the page asked for so far (a self-contained page asks for itself only)."""
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def console_errors(self) -> list[dict]:
        """Console errors and assertions, uncaught exceptions and error log entries so far."""
        return [e for e in self.events
                if (e["method"] == "Runtime.consoleAPICalled"
                    and e["params"]["type"] in ("error", "assert"))
                or e["method"] == "Runtime.exceptionThrown"
                or (e["method"] == "Log.entryAdded"
                    and e["params"]["entry"]["level"] == "error")]

    def close(self) -> None:
        self.ws.close()


@pytest.fixture()
def browser(tmp_path):
    """A headless Chromium with remote debugging on a free local port."""
    exe = _chromium()
    profile = tmp_path / "profile"
    profile.mkdir()
    process = subprocess.Popen(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.skip("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _page_ws(port: int) -> str:
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
        targets = json.loads(reply.read())
    pages = [t for t in targets if t.get("type") == "page"]
    assert pages, targets
    return pages[0]["webSocketDebuggerUrl"]


def _report_dir(tmp_path: Path, sample_logs_dir: Path) -> Path:
    """The report of the committed sample logs; a hand-built log when they are absent."""
    sources = sample_logs_dir / "sources.toml"
    if sources.exists():
        from procmine import load

        log = load(sources)
    else:  # pragma: no cover - the sample logs are committed
        frame = pd.DataFrame({
            "case_id": ["o1"] * 4 + ["o2"] * 4,
            "activity": ["Enter order", "Check credit", "Pick", "Receive payment"] * 2,
            "timestamp": pd.to_datetime(
                ["2024-01-01 09:00", "2024-01-01 11:00", "2024-01-02 09:00", "2024-01-20 10:00",
                 "2024-01-08 09:00", "2024-01-08 10:00", "2024-01-09 12:00", "2024-01-30 10:00"],
                utc=True),
            "department": ["Sales", "Credit", "Warehouse", "Billing"] * 2,
            "delivery_address": ["A 1", None, "a  1", None, "B 2", None, "C 3", None],
        })
        log = EventLog.from_frame(frame, name="hand-built",
                                  items=[InformationItem("delivery_address", "customer")])
    out = tmp_path / "report"
    write_report(build_report(log), out)
    return out


def test_report_opens_offline_without_errors(browser, tmp_path, sample_logs_dir):
    out = _report_dir(tmp_path, sample_logs_dir)
    url = (out / "report.html").resolve().as_uri()
    cdp = Cdp(_page_ws(browser))
    try:
        cdp.send("Network.enable")
        cdp.send("Runtime.enable")
        cdp.send("Log.enable")
        cdp.send("Page.enable")
        cdp.send("Emulation.setDeviceMetricsOverride", width=1920, height=1080,
                 deviceScaleFactor=1, mobile=False)
        cdp.send("Page.navigate", url=url)
        cdp.wait_for("Page.loadEventFired")
        cdp.drain(1.5)

        requested = cdp.requested()
        assert requested == [url], f"requests other than the report itself: {requested}"

        errors = cdp.console_errors()
        assert errors == []

        result = cdp.send("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify(Array.from(document.querySelectorAll('section h2'))"
            ".map(h => [h.parentElement.id, h.textContent]))"))
        headings = json.loads(result["result"]["value"])
        assert [key for key, _ in headings] == list(SECTION_KEYS)
        assert [text for _, text in headings] == [SECTION_TITLES[k] for k in SECTION_KEYS]

        counts = json.loads(cdp.send("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({svg: document.querySelectorAll('svg').length,"
            " scripts: document.querySelectorAll('script').length,"
            " height: document.documentElement.scrollHeight,"
            " width: document.documentElement.scrollWidth})"))["result"]["value"])
        assert counts["scripts"] == 0
        assert counts["svg"] >= 4  # process, handoff, as-is and to-be maps (or their notes)

        # what finance needs comes first: the executive summary opens the page, with the
        # run date, the cost model and its digest, and money in one format with the currency
        summary = json.loads(cdp.send("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({first: document.querySelector('main section').id,"
            " text: document.getElementById('summary').innerText,"
            " top: document.getElementById('summary').getBoundingClientRect().top})"
        ))["result"]["value"])
        assert summary["first"] == "summary"
        assert summary["top"] < 1080  # on the first screen
        for words in ("Run date", "Period covered", "Cost model", "sha256:", "Annualisation",
                      "Top actions", "EUR"):
            assert words in summary["text"], words

        # the whole page at the 1080p viewport (vh units keep their meaning)
        clip = {"x": 0, "y": 0, "width": 1920, "height": min(int(counts["height"]), 30000),
                "scale": 1}
        shot = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                        clip=clip)
        png = base64.b64decode(shot["data"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "report.png").write_bytes(png)

        pdf = cdp.send("Page.printToPDF", printBackground=True, preferCSSPageSize=True)
        data = base64.b64decode(pdf["data"])
        assert data[:5] == b"%PDF-"
        (SCREENSHOT_DIR / "report.pdf").write_bytes(data)
        _check_a4_print(data)
    finally:
        cdp.close()


def _check_a4_print(data: bytes) -> None:
    """A4 pages, each numbered "page N of M", none blank (some text besides the number)."""
    import io

    pypdf = pytest.importorskip("pypdf")
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4, mm
        text = page.extract_text()
        label = f"page {number} of {len(pages)}"
        assert label in text, (number, text[:80])
        body = text.replace(label, "").replace("procmine report", "").strip()
        assert len(body) > 40, f"page {number} is blank: {text!r}"


def test_print_from_the_command_line_is_a4_with_page_numbers(tmp_path, sample_logs_dir):
    """What 'chromium --headless --print-to-pdf' makes of the report: A4, numbered, no blank."""
    exe = _chromium()
    out = _report_dir(tmp_path, sample_logs_dir)
    pdf = tmp_path / "report.pdf"
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}",
                    (out / "report.html").resolve().as_uri()],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True)
    _check_a4_print(pdf.read_bytes())


def test_hostile_names_show_as_text_and_run_nothing(browser, tmp_path):
    script = "<script>alert(1)</script>"
    frame = pd.DataFrame({
        "case_id": ["o1", "o1", "o2", "o2"],
        "activity": [script, "=cmd|' /C calc'!A0", script, "\"quotes'"],
        "timestamp": pd.to_datetime(["2024-01-01 09:00", "2024-01-01 10:00",
                                     "2024-01-02 09:00", "2024-01-02 11:00"], utc=True),
        "department": ["Sales", f"<img src=x onerror=alert(2)>{script}", "Sales", "@SUM(1)"],
    })
    out = tmp_path / "hostile"
    write_report(build_report(EventLog.from_frame(frame, name=script)), out)
    url = (out / "report.html").resolve().as_uri()
    cdp = Cdp(_page_ws(browser))
    try:
        for domain in ("Network", "Runtime", "Page"):
            cdp.send(f"{domain}.enable")
        cdp.send("Page.navigate", url=url)
        cdp.wait_for("Page.loadEventFired")
        cdp.drain(1.0)
        methods = [e["method"] for e in cdp.events]
        assert "Page.javascriptDialogOpening" not in methods  # no alert() ran
        assert "Runtime.exceptionThrown" not in methods
        requested = cdp.requested()
        assert requested == [url]  # the <img src=x> is text, not an image
        found = json.loads(cdp.send("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({scripts: document.querySelectorAll('script').length,"
            " imgs: document.querySelectorAll('img').length,"
            " text: document.body.innerText.includes('<script>alert(1)</script>'),"
            " title: document.title})"))["result"]["value"])
        assert found == {"scripts": 0, "imgs": 0, "text": True,
                         "title": f"procmine report: {script}"}
    finally:
        cdp.close()
