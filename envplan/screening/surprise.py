"""Surprises in powers of ten: how unlikely a count or a statistic is, as -log10 of a tail probability.

The binomial tails are bounded by Chernoff's bound exp(-n KL(k/n || r)); the chi-square tail uses the
Wilson-Hilferty approximation and the normal tail Abramowitz & Stegun 7.1.26.
"""

from __future__ import annotations

import numpy as np

from envplan.screening.grid import FloatArray

LN10 = float(np.log(10.0))


def lower_tail_surprise(hits: FloatArray, trials: FloatArray, rate: FloatArray) -> FloatArray:
    """-log10 of the Chernoff bound on P(X <= hits), X ~ Binomial(trials, rate); 0 when hits >= mean."""
    share = np.where(trials > 0, hits / np.maximum(trials, 1.0), 1.0)
    return np.where(share < rate, trials * kl_bernoulli(share, rate) / LN10, 0.0)


def upper_tail_surprise(hits: FloatArray, trials: FloatArray, rate: FloatArray) -> FloatArray:
    """-log10 of the Chernoff bound on P(X >= hits), X ~ Binomial(trials, rate); 0 when hits <= mean."""
    share = np.where(trials > 0, hits / np.maximum(trials, 1.0), 0.0)
    return np.where(share > rate, trials * kl_bernoulli(share, rate) / LN10, 0.0)


def kl_bernoulli(share: FloatArray, rate: FloatArray) -> FloatArray:
    """Kullback-Leibler divergence KL(share || rate) of two Bernoulli laws (natural logarithm)."""
    rate = np.clip(rate, 1e-12, 1 - 1e-12)
    share = np.clip(share, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(share > 0, share * np.log(np.where(share > 0, share, 1.0) / rate), 0.0)
        second = np.where(
            share < 1, (1 - share) * np.log(np.where(share < 1, 1 - share, 1.0) / (1 - rate)), 0.0
        )
    return np.asarray(first + second, dtype=np.float64)


def log10_normal_tail(z: FloatArray) -> FloatArray:
    """log10 P(Z > z) for a standard normal Z, from erfc by Abramowitz & Stegun 7.1.26 (z >= 0)."""
    x = np.maximum(z, 0.0) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    polynomial = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.asarray((np.log(0.5 * polynomial) - x * x) / LN10, dtype=np.float64)


def chi_square_surprise(statistic: FloatArray, freedom: int) -> FloatArray:
    """-log10 of the upper tail of a chi-square with ``freedom`` degrees (Wilson-Hilferty); 0 below its
    mean."""
    k = float(freedom)
    z = (np.cbrt(np.maximum(statistic, 0.0) / k) - (1.0 - 2.0 / (9.0 * k))) / np.sqrt(2.0 / (9.0 * k))
    return np.where(z > 0, -log10_normal_tail(z), 0.0)
