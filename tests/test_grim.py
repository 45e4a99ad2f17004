"""GRIM and GRIMMER: published examples re-derived by hand, and hand-built cases."""

import pytest

from ivigmeta.stats.checks.grim import grim


@pytest.mark.parametrize(
    ("mean", "n", "items", "verdict", "derivation"),
    [
        # A die rolled 20 times, mean printed 3.48 (the GRIM example on Wikipedia, after Brown &
        # Heathers 2017): [3.475, 3.485] · 20 = [69.5, 69.7] holds no integer.
        ("3.48", 20, 1, "inconsistent", "69.5-69.7"),
        # 49 participants, mean 5.93 (Brown & Heathers' example as told by The Economist,
        # 18 June 2016): [5.925, 5.935] · 49 = [290.325, 290.815], no integer.
        ("5.93", 49, 1, "inconsistent", "290.325-290.815"),
        # scrutiny's vignette: grim("5.27", 43) is FALSE: [5.265, 5.275] · 43 = [226.395, 226.825].
        ("5.27", 43, 1, "inconsistent", "226.395-226.825"),
        # 5.19 with n = 28: 145/28 = 5.1786 and 146/28 = 5.2143 bracket it, neither rounds to it.
        ("5.19", 28, 1, "inconsistent", "145.18-145.46"),
        # 3.45 with n = 20: 69/20 = 3.45 exactly.
        ("3.45", 20, 1, "consistent", "68.9-69.1"),
        # multi-item scale: 3 items averaged, n = 10 → 30 item responses; [3.445, 3.455] · 30 =
        # [103.35, 103.65], no integer.
        ("3.45", 10, 3, "inconsistent", "103.35-103.65"),
        # n = 7, mean 1.57: [1.565, 1.575] · 7 = [10.955, 11.025] holds 11.
        ("1.57", 7, 1, "consistent", "10.955-11.025"),
    ],
)
def test_grim(mean, n, items, verdict, derivation):
    result = grim(mean, n, items=items)
    assert result.grim == verdict
    assert result.informative  # n·items < 10^decimals in every case above


def test_grim_cannot_fail_when_n_reaches_ten_to_the_decimals():
    result = grim("29.6", 30)  # Poelman baseline mRSS: 30 >= 10^1
    assert result.grim == "consistent" and not result.informative
    assert result.sums == (887, 889)  # 29.55·30 = 886.5 → 887; 29.65·30 = 889.5 → 889


def test_grimmer_hand_derived():
    # n = 3, mean 2.00 → total S = 6. SD 1.00: Q = (n-1)·sd² + S²/n = 2 + 12 = 14, an even
    # integer like S: possible ({1, 2, 3}).
    assert grim("2.00", 3, "1.00").grimmer == "consistent"
    # SD 1.50: Q in [2·1.495² + 12, 2·1.505² + 12] = [16.470, 16.530]: no integer → impossible.
    assert grim("2.00", 3, "1.50").grimmer == "inconsistent"
    # SD 1.73: Q in [2·1.725² + 12, 2·1.735² + 12] = [17.951, 18.020] holds 18, even like S = 6:
    # possible ({1, 1, 4}: Q = 18, sd = sqrt(3) = 1.732).
    assert grim("2.00", 3, "1.73").grimmer == "consistent"
    # parity: n = 2, mean 1.50 → S = 3 (odd). SD 0.71: Q in [1·0.705² + 4.5, 1·0.715² + 4.5] =
    # [4.997, 5.011] holds 5, odd like S: possible ({1, 2}).
    assert grim("1.50", 2, "0.71").grimmer == "consistent"
    # SD 1.41: Q in [1.405² + 4.5, 1.415² + 4.5] = [6.474, 6.502]: no integer → impossible.
    assert grim("1.50", 2, "1.41").grimmer == "inconsistent"
    # Q = 6 would be even while S = 3 is odd: SD sqrt(1.5) = 1.2247 → "1.22" has
    # Q in [1.215² + 4.5, 1.225² + 4.5] = [5.976, 6.0006], only 6, wrong parity → impossible.
    assert grim("1.50", 2, "1.22").grimmer == "inconsistent"


def test_grimmer_below_the_most_even_split():
    # n = 4, mean 1.25 → S = 5; the most even split {1, 1, 1, 2} has Q = 7, so the SD is at
    # least sqrt((7 - 25/4) / 3) = 0.5. SD 0.10: Q in [3·0.095² + 6.25, 3·0.105² + 6.25] =
    # [6.277, 6.283] < 7 → impossible.
    assert grim("1.25", 4, "0.10").grimmer == "inconsistent"
    assert grim("1.25", 4, "0.50").grimmer == "consistent"


def test_grimmer_that_cannot_inform_is_not_checkable():
    # mean 5.19 of n = 28 fails GRIM (145/28 = 5.1786, 146/28 = 5.2143): there is no total
    # to test the SD on, so GRIMMER says not-checkable, never inconsistent
    result = grim("5.19", 28, "2.1")
    assert (result.grim, result.grimmer) == ("inconsistent", "not-checkable")
    # n = 30, SD 7.2 (one decimal): Q = 29·sd² + S²/30 spans 29·(7.25² - 7.15²) = 41.8 > 2 for
    # every total, so both parities fit: GRIMMER cannot fail
    result = grim("29.6", 30, "7.2")
    assert result.grimmer_informative is False
    assert result.grimmer == "not-checkable"
