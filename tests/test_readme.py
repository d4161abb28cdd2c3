"""The README's notebook example runs as written, on the sample logs."""

from __future__ import annotations

import re

from conftest import ROOT

import procmine


def test_readme_python_example_runs(monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md has no python example"
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # our own README, no user input
    assert isinstance(namespace["log"], procmine.EventLog)
    assert isinstance(namespace["h"], procmine.Handoffs)
    assert isinstance(namespace["c"], procmine.Candidates)
    assert namespace["h"].table["count"].sum() > 0
