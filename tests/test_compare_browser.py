"""The compare page in headless Chromium: no console error, no network, every section, escaped.

Reuses the DevTools client and the Chromium fixture of ``tests/test_report_browser.py``.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from procmine import EventLog, Move
from procmine.analysis.compare import compare
from procmine.report.compare_page import write_compare
from tests.test_report_browser import SCREENSHOT_DIR, Cdp, _page_ws, browser  # noqa: F401

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert(1)</script>"


def _log() -> EventLog:
    rows = []
    start = pd.Timestamp("2024-03-01 09:00", tz="UTC")
    for i in range(40):
        t = start + pd.Timedelta(days=i)
        after = i >= 20
        rows += [(f"o{i}", "Customer e-mails order", t, None, "customer", False),
                 (f"o{i}", "Enter order", t + pd.Timedelta(hours=0 if after else 3),
                  None if after else "Sales", "customer" if after else "internal", after),
                 (f"o{i}", SCRIPT, t + pd.Timedelta(hours=20), "Warehouse", "internal", False),
                 (f"o{i}", "Ship", t + pd.Timedelta(hours=30), "<img src=x onerror=alert(2)>",
                  "internal", False)]
        if after and i % 2:  # an unrelated second change: a new step at the end
            rows.append((f"o{i}", "Send survey", t + pd.Timedelta(hours=40), "Sales",
                         "internal", False))
    frame = pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "department",
                                        "party", "automated"])
    frame["automated"] = frame["automated"].astype("boolean")
    return EventLog.from_frame(frame, name=SCRIPT)


def test_compare_page_opens_offline_without_errors(browser, tmp_path):  # noqa: F811
    comparison = compare(_log(), change_date="2024-03-21", horizon=None, resamples=200,
                         moves=Move("Enter order", "Sales", "customer_self_service"))
    assert comparison.several_changes
    files = write_compare(comparison, tmp_path / "compare")
    url = files.html.resolve().as_uri()
    cdp = Cdp(_page_ws(browser))
    try:
        for domain in ("Network", "Runtime", "Log", "Page"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride", width=1400, height=1000,
                 deviceScaleFactor=1, mobile=False)
        cdp.send("Page.navigate", url=url)
        cdp.wait_for("Page.loadEventFired")
        cdp.drain(1.5)

        requested = cdp.requested()
        assert requested == [url], f"requests other than the page itself: {requested}"
        errors = cdp.console_errors()
        assert errors == []
        assert "Page.javascriptDialogOpening" not in [e["method"] for e in cdp.events]

        found = json.loads(cdp.send("Runtime.evaluate", returnByValue=True, expression=(
            "JSON.stringify({sections: Array.from(document.querySelectorAll('section'))"
            ".map(s => s.id), scripts: document.querySelectorAll('script').length,"
            " imgs: document.querySelectorAll('img').length,"
            " svg: document.querySelectorAll('.map svg').length,"
            " several: document.querySelector('.verdict.several') !== null,"
            " text: document.body.innerText, title: document.title,"
            " height: document.documentElement.scrollHeight})"))["result"]["value"])
        assert found["sections"] == ["verdict", "kpis", "prediction", "map", "departments",
                                     "items", "notes"][:len(found["sections"])]
        assert found["sections"][:6] == ["verdict", "kpis", "prediction", "map",
                                         "departments", "items"]
        assert found["scripts"] == 0 and found["imgs"] == 0  # names are text, never markup
        assert found["svg"] == 1
        assert found["several"]
        assert "cannot be attributed to one change" in found["text"]
        assert SCRIPT in found["text"] and "<img src=x onerror=alert(2)>" in found["text"]
        assert found["title"] == f"procmine compare: {SCRIPT}"
        assert "Predicted against measured" in found["text"]

        shot = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                        clip={"x": 0, "y": 0, "width": 1400,
                              "height": min(int(found["height"]), 20000), "scale": 1})
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        import base64

        png = base64.b64decode(shot["data"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        (SCREENSHOT_DIR / "compare.png").write_bytes(png)
    finally:
        cdp.close()
