"""Generate realistic multi-source order-fulfilment samples with their ground truth."""

from procmine.generate.sample import GeneratedSample, generate

__all__ = ["GeneratedSample", "generate"]
