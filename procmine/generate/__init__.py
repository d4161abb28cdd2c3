"""Generate realistic multi-source order-fulfilment samples with their ground truth.

- :mod:`procmine.generate.simulate`: the vectorised process simulation (numpy, per step).
- :mod:`procmine.generate.extracts`: four system extracts, a lookup and ``sources.toml``,
  with a few injected data problems.
- :mod:`procmine.generate.truth`: ``ground_truth/ground_truth.json`` and ``reentries.csv``.
- :mod:`procmine.generate.change`: one change injected from a date on (:class:`Change`),
  with its true effect in the ground truth.
- :func:`generate`: all of it in one call (also ``procmine generate`` on the command line).
"""

from procmine.generate.change import Change
from procmine.generate.sample import GeneratedSample, generate

__all__ = ["Change", "GeneratedSample", "generate"]
