"""The public surface is pinned: adding or removing a name is a deliberate change."""

import procmine

EXPECTED = {
    "EventLog",
    "InformationItem",
    "InputError",
    "ProcmineError",
    "ProcmineWarning",
    "SourceStats",
    "UsageError",
    "__version__",
}


def test_public_names_are_pinned():
    assert set(procmine.__all__) == EXPECTED


def test_every_public_name_exists():
    missing = [name for name in procmine.__all__ if not hasattr(procmine, name)]
    assert missing == []
