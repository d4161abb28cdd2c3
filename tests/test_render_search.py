"""The one search that fits a map to its medium (procmine.render.maps.most_that_fit)."""

import pytest

from procmine.render.maps import most_that_fit


@pytest.mark.parametrize("low,high", [(4, 15), (6, 15), (6, 20), (1, 1), (3, 4)])
@pytest.mark.parametrize("shape", [0.5, 1.0, 2.0])
def test_finds_the_most_that_fit_as_trying_every_count_does(low, high, shape):
    for scale in (5.0, 10.0, 20.0, 31.0, 32.0, 40.0, 80.0, 200.0):
        def size(n, scale=scale):
            return scale * (10.0 / n) ** shape  # fewer activities, larger text
        tried: list[int] = []

        def measured(n, size=size, tried=tried):
            tried.append(n)
            return size(n)
        fitting = [n for n in range(low, high + 1) if size(n) >= 32.0]
        expected = max(fitting) if fitting else low  # none fits: the fewest
        assert most_that_fit(low, high, measured, 32.0) == expected
        assert len(set(tried)) == len(tried)  # no count measured twice
        if fitting and max(fitting) > low:
            assert low not in tried  # the fewest is the fallback, measured only when needed
        assert len(tried) <= 2 + max(high - low, 1).bit_length() + 1


def test_when_nothing_fits_the_largest_text_measured_wins():
    # text that does not grow with every activity left out (fold choices differ)
    sizes = {15: 8.7, 8: 11.6, 7: 11.1, 6: 10.5, 5: 10.0, 4: 9.0}
    sizes.update({n: 9.0 for n in range(9, 15)})
    found = most_that_fit(6, 15, lambda n: sizes[n], 12.0)
    tried_best = found
    assert sizes[tried_best] >= sizes[6]  # never worse than the fewest
