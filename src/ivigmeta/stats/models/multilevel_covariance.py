"""The known sampling covariance matrix V of a multilevel model (metafor ``vcalc``).

- diagonal: V = diag(v_i);
- ``rho``: V_ij = rho sqrt(v_i v_j) for two effects sharing a cluster (metafor
  ``vcalc(vi, cluster, obs, rho)`` with distinct obs within a cluster);
- covariance columns: metafor ``vcalc(vi = 1, cluster, rvars = c(c_1, ..., c_m))``, e.g.
  dat.berkey1998's v1i, v2i;
- or a full matrix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivigmeta.errors import AnalysisError, InputError


def constant_correlation_v(vi, cluster_codes, rho: float) -> np.ndarray:
    """V with V_ii = v_i and V_ij = rho sqrt(v_i v_j) for i != j in the same cluster
    (metafor ``vcalc(vi, cluster, obs, rho)`` with distinct obs within a cluster)."""
    sd = np.sqrt(np.asarray(vi, dtype=float))
    same = np.equal.outer(cluster_codes, cluster_codes)
    V = np.where(same, rho * np.outer(sd, sd), 0.0)
    np.fill_diagonal(V, sd**2)
    return V


def covariance_from_columns(columns: Sequence[Sequence[float]], cluster_codes) -> np.ndarray:
    """V from columns of covariances, metafor's ``vcalc(vi = 1, cluster, rvars = c(c_1, ...,
    c_m))``: for the rows r_1, ..., r_n of one cluster (in order), V[r_a, r_b] = c_b[r_a] for
    a >= b, mirrored above the diagonal (so c_a[r_a] is the variance of effect r_a and cells
    above the diagonal are not read); 0 between clusters. Every cluster has at most m rows
    and one has exactly m (as vcalc)."""
    values = np.asarray(columns, dtype=float)
    codes = np.asarray(cluster_codes)
    sizes = np.bincount(codes)
    m = values.shape[0]
    if sizes.max() != m:
        raise AnalysisError(f"{m} covariance column(s) given, but the largest cluster has "
                            f"{sizes.max()} rows (vcalc rvars: one column per row)")  # fmt: skip
    V = np.zeros((codes.size, codes.size))
    for c in range(sizes.size):
        rows = np.flatnonzero(codes == c)
        for a, row in enumerate(rows):
            for b in range(a + 1):
                V[row, rows[b]] = V[rows[b], row] = values[b, row]
    return V


def sampling_covariance(vi, V, rho, columns, groups, names, k) -> np.ndarray:
    """The k x k sampling covariance: ``V`` as given, or from ``vi`` with ``rho``
    (:func:`constant_correlation_v`) or ``columns`` (:func:`covariance_from_columns`) within
    the innermost cluster above the rows (``groups[-2]``, or the only level), else diag(vi);
    AnalysisError unless symmetric positive definite."""
    cluster = groups[-2] if len(groups) > 1 else groups[0]
    if columns is not None:
        if V is not None or rho is not None:
            raise InputError("give one of V, rho and covariance columns", field="vcov")
        V = covariance_from_columns(columns, cluster)
    if V is None:
        if vi is None:
            raise AnalysisError("give the sampling variances vi or their covariance matrix V")
        v = np.asarray(vi, dtype=float)
        if v.size != k or not np.all(np.isfinite(v)) or np.any(v <= 0):
            raise AnalysisError("the sampling variances must be k positive numbers")
        if rho is None:
            V = np.diag(v)
        else:
            if not -1 < rho < 1:
                raise InputError(f"expected a correlation in (-1, 1), got {rho}", field="rho")
            V = constant_correlation_v(v, cluster, rho)
    V = np.asarray(V, dtype=float)
    if V.shape != (k, k) or not np.allclose(V, V.T) or not np.all(np.isfinite(V)):
        raise AnalysisError(f"V must be a symmetric {k} x {k} matrix")
    try:
        np.linalg.cholesky(V)
    except np.linalg.LinAlgError:
        shared = names[-2] if len(names) > 1 else names[0]
        where = ""
        if rho is not None:
            where = f" (rho = {rho:g} for effects sharing a {shared})"
        elif columns is not None:
            where = f" (covariance columns within each {shared})"
        raise AnalysisError(
            f"the sampling covariance matrix V is not positive definite{where}"
        ) from None
    return V
