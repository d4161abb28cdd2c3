"""``python -m procmine``: the same as the ``procmine`` command."""

from procmine.cli import run

run()
