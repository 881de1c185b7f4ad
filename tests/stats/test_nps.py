"""Net Promoter Score: its interval and the comparison of two scores, by hand and published."""

import pytest

from uxlab.stats.nps import nps, nps_difference


def test_nps_point_estimate_reproduces_talkstats_example():
    # talkstats.com NPS thread: 291 promoters, 476 passives, 395 detractors of 1162 → NPS −9.
    result = nps([10] * 291 + [8] * 476 + [5] * 395)
    assert round(result.estimate) == -9
    assert (result.promoters, result.passives, result.detractors, result.n) == (291, 476, 395,
                                                                                 1162)


def test_nps_adjusted_wald_interval_by_hand():
    # Independent hand computation of Lewis & Sauro's adjusted-Wald NPS interval:
    # 40 promoters, 40 passives, 20 detractors; n_adj = 103; p_pro = 40.75/103 = .395631;
    # p_det = 20.75/103 = .201456; NPS_adj = .194175; Var = .597087 − .194175² = .559383;
    # se = √(.559383/103) = .073694; ±1.959964·se = ±.144439 → [4.97, 33.86] points.
    result = nps([10] * 40 + [7] * 40 + [3] * 20)
    assert result.estimate == pytest.approx(20.0)
    assert result.adjusted_estimate == pytest.approx(19.4175, abs=1e-4)
    assert result.low == pytest.approx(4.974, abs=1e-3)
    assert result.high == pytest.approx(33.861, abs=1e-3)
    assert result.method == "adjusted-wald"


def test_nps_bounds_are_clipped():
    result = nps([10, 10, 9])
    assert -100 <= result.low <= result.high <= 100


def test_nps_difference_by_hand():
    # A: 40/40/20 as above; B: 30/40/30 → NPS_adj,B = 0, Var_B = 61.5/103 = .597087.
    # se = √((.559383 + .597087)/103) = .105962; z = (0 − .194175)/.105962 = −1.8325;
    # p = 2Φ(−1.8325) = .0669; interval −19.42 ± 1.959964·10.5962 = [−40.19, 1.35].
    a = [10] * 40 + [7] * 40 + [3] * 20
    b = [10] * 30 + [7] * 40 + [3] * 30
    result = nps_difference(a, b)
    assert result.difference == pytest.approx(-20.0)
    assert result.statistic == pytest.approx(-1.8325, abs=1e-4)
    assert result.pvalue == pytest.approx(0.0669, abs=1e-4)
    assert result.interval.low == pytest.approx(-40.19, abs=0.01)
    assert result.interval.high == pytest.approx(1.35, abs=0.01)
    assert result.extra["a"].estimate == 20.0 and result.extra["b"].estimate == 0.0


def test_nps_rejects_bad_ratings():
    with pytest.raises(ValueError, match="integers from 0 to 10, found 11"):
        nps([9, 11])
    with pytest.raises(ValueError, match="at least 1"):
        nps([])
