"""The workshop deck in headless Chromium at 1920×1080: no console error, no network, every
slide, keyboard navigation, map text of at least 32 px on every slide, one slide per printed page.

Reuses the DevTools client and the browser fixture of ``test_report_browser``.
Screenshots of every slide go to ``out/browser/deck-NN.png``.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from test_report_browser import SCREENSHOT_DIR, Cdp, _page_ws, browser  # noqa: F401

from procmine.report.deck import workshop_deck

pytestmark = pytest.mark.browser

#: A slide seen from the back of a room needs text of at least this height (issue 11).
MIN_TEXT_PX = 32.0


@pytest.fixture(scope="module")
def deck_file(tmp_path_factory, sample_logs_dir):
    sources = sample_logs_dir / "sources.toml"
    if not sources.exists():  # pragma: no cover - the sample logs are committed
        pytest.skip("the sample logs are absent")
    from procmine import load

    deck = workshop_deck(load(sources))
    path = deck.save(tmp_path_factory.mktemp("deck") / "deck.html")
    return deck, path


def _open(port: int, path: Path) -> tuple[Cdp, str]:
    url = path.resolve().as_uri()
    cdp = Cdp(_page_ws(port))
    for domain in ("Network", "Runtime", "Log", "Page"):
        cdp.send(f"{domain}.enable")
    cdp.send("Emulation.setDeviceMetricsOverride", width=1920, height=1080,
             deviceScaleFactor=1, mobile=False)
    cdp.send("Page.navigate", url=url)
    cdp.wait_for("Page.loadEventFired")
    cdp.drain(1.0)
    return cdp, url


def _value(cdp: Cdp, expression: str):
    return json.loads(cdp.send("Runtime.evaluate", returnByValue=True,
                               expression=f"JSON.stringify({expression})")["result"]["value"])


def _key(cdp: Cdp, key: str, code: str, key_code: int) -> None:
    for kind in ("keyDown", "keyUp"):
        cdp.send("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                 windowsVirtualKeyCode=key_code)


_CURRENT = "Array.from(document.querySelectorAll('section.slide')).findIndex(" \
           "s => s.classList.contains('current'))"
_WHERE = f"[{_CURRENT}, Number(document.querySelector('section.slide.current')" \
         ".dataset.step || 0)]"
# the smallest rendered height of the text of the current slide's maps
_MAP_TEXT = """(() => {
  const s = document.querySelector('section.slide.current');
  const texts = Array.from(s.querySelectorAll('.map svg text'))
    .filter(t => t.textContent.trim() !== '');
  const heights = texts.map(t => t.getBoundingClientRect().height).filter(h => h > 0);
  return {n: texts.length, shown: heights.length,
          min: heights.length ? Math.min(...heights) : null,
          smallest: texts.map(t => [t.getBoundingClientRect().height, t.textContent])
            .filter(p => p[0] > 0).sort((a, b) => a[0] - b[0]).slice(0, 3)};
})()"""


def test_deck_opens_offline_navigates_and_is_readable(browser, deck_file):  # noqa: F811
    deck, path = deck_file
    cdp, url = _open(browser, path)
    try:
        requested = cdp.requested()
        assert requested == [url], f"requests other than the deck itself: {requested}"
        errors = cdp.console_errors()
        assert errors == []

        # every slide, in order, with its heading; candidates one slide each
        shown = _value(cdp, "Array.from(document.querySelectorAll('section.slide'))"
                            ".map(s => [s.dataset.key, s.querySelector('h1,h2').textContent])")
        assert [key for key, _ in shown] == [s.key for s in deck.slides]
        assert [text.split(":")[0] for _, text in shown] == [
            s.title.split(":")[0] for s in deck.slides]
        kinds = [s.kind for s in deck.slides]
        assert kinds[:5] == ["title", "process", "handoffs", "rework", "reentry"]
        assert kinds[-1] == "ranking"
        ranked = deck.report.candidates.tables["table"]
        assert kinds.count("candidate") == len(ranked) > 0

        # keyboard: the first slide is shown; → moves on, End to the last, Home back
        assert _value(cdp, _CURRENT) == 0
        _key(cdp, "End", "End", 35)
        assert _value(cdp, _CURRENT) == len(deck.slides) - 1
        _key(cdp, "Home", "Home", 36)
        assert _value(cdp, _CURRENT) == 0
        _key(cdp, "ArrowLeft", "ArrowLeft", 37)
        assert _value(cdp, _CURRENT) == 0  # not before the first

        # → through every slide and step (a candidate: as-is, to-be, then its figures),
        # measuring the text of the maps in view and keeping a screenshot of each
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        small, seen = [], []
        while True:
            where = _value(cdp, _WHERE)
            if seen and tuple(where) == seen[-1]:
                break  # → on the last step of the last slide stays there
            seen.append(tuple(where))
            number, step = where
            slide = deck.slides[number]
            box = _value(cdp, "(() => { const r = document.querySelector("
                              "'section.slide.current').getBoundingClientRect();"
                              " return [r.width, r.height]; })()")
            assert box == [1920, 1080]  # a 1080p screen shows the slide at its own size
            measured = _value(cdp, _MAP_TEXT)
            if slide.kind in ("process", "handoffs") or (slide.kind == "candidate"
                                                         and step < 2):
                assert measured["shown"] > 0, (slide.key, step)
                if measured["min"] < MIN_TEXT_PX - 0.01:  # sub-pixel rounding
                    small.append((slide.key, step, measured["smallest"]))
            else:
                assert measured["shown"] == 0, (slide.key, step)
            shot = cdp.send("Page.captureScreenshot", format="png")
            (SCREENSHOT_DIR / f"deck-{number + 1:02d}-{step + 1}.png").write_bytes(
                base64.b64decode(shot["data"]))
            _key(cdp, "ArrowRight", "ArrowRight", 39)
        expected = [(n, k) for n, s in enumerate(deck.slides)
                    for k in range(3 if s.kind == "candidate" else 1)]
        assert seen == expected
        assert small == [], f"map text under {MIN_TEXT_PX} px: {small}"
        _key(cdp, "ArrowLeft", "ArrowLeft", 37)  # ← steps back within a slide
        assert _value(cdp, _WHERE) == list(expected[-2])

        # printed: one slide per page, none blank
        pdf = base64.b64decode(cdp.send("Page.printToPDF", printBackground=True,
                                        preferCSSPageSize=True)["data"])
        (SCREENSHOT_DIR / "deck.pdf").write_bytes(pdf)
        pypdf = pytest.importorskip("pypdf")
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        assert len(pages) == len(deck.slides)
        for number, page in enumerate(pages):
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert width / height == pytest.approx(16 / 9, rel=0.01)
            assert f"{number + 1} / {len(deck.slides)}" in page.extract_text()
    finally:
        cdp.close()


def test_deck_scripts_are_only_its_own(deck_file):
    _, path = deck_file
    page = path.read_text(encoding="utf-8")
    assert page.count("<script") == 1  # the keyboard script, allowed by its hash only
    assert "script-src 'sha256-" in page and "unsafe-eval" not in page
    assert "http://" not in page.replace("http://www.w3.org/", "")
    assert "https://" not in page
