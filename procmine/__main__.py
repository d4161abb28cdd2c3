"""``python -m procmine``: the same as the ``procmine`` command."""

import sys

from procmine.cli import main

sys.exit(main())
