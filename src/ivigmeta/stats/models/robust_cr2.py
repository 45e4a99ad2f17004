"""Cluster-robust tests for a fitted multilevel model: CR2 with Satterthwaite df, and CR1.

With clusters j = 1..J, blocks X_j, r_j = y_j - X_j b, the fitted marginal covariance
Theta_j = M_jj as working model, W_j = Theta_j^-1 and B = (sum_j X_j' W_j X_j)^-1:

    Var_R(b) = B (sum_j X_j' W_j A_j r_j r_j' A_j' W_j X_j) B

- CR2 (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018, JBES 36:672-683; clubSandwich
  ``coef_test(fit, vcov = "CR2", test = "Satterthwaite")`` for ``rma.mv``): with
  Theta_j = U_j' U_j (Cholesky) and H_jj = X_j B X_j' W_j,
  A_j = U_j' [U_j (I - H_jj) Theta_j U_j']^(-1/2) U_j (symmetric power by eigenvalues,
  eigenvalues <= 1e-12 dropped). Satterthwaite df of coefficient i: with
  g_j = (B X_j' W_j A_j L_j)[i, :] (L_j = U_j'), h_j = (B X_j' W_j A_j X_j L_B)[i, :]
  (L_B L_B' = B), P_i = diag(|g_j|²) - [h_j' h_l]_jl and df_i = tr(P_i)² / |P_i|²_F.
- CR1 (metafor ``robust(fit, cluster, adjust = TRUE)``; clubSandwich "CR1p" with the
  "naive-tp" test): A_j = I, the sum multiplied by J/(J - p), t tests on J - p df.

t statistics b_i / se_i, p = 2 P(T_df > |t|), CI b_i -/+ t_df se_i.
"""

from __future__ import annotations

import numpy as np

from ivigmeta.errors import AnalysisError
from ivigmeta.stats.numerics.distributions import t_crit, two_sided_t_p

TYPES = ("CR2", "CR1")


def robust_tests(X, point, clusters, kind: str, level: float = 95.0) -> list:
    """One :class:`~ivigmeta.stats.models.multilevel.RobustTest` per coefficient for the fit
    ``point`` (a :class:`~ivigmeta.stats.models.multilevel_fit.LikelihoodPoint`)."""
    from ivigmeta.stats.models.multilevel import RobustTest

    kind = kind.upper()
    if kind not in TYPES:
        raise AnalysisError(f"robust: expected one of {', '.join(TYPES)}, got {kind!r}")
    members = [np.flatnonzero(clusters == c) for c in np.unique(clusters)]
    J, p = len(members), X.shape[1]
    if J < 2 or (kind == "CR1" and p >= J):
        raise AnalysisError(f"robust {kind}: needs more clusters than {p}, got J = {J}")
    B = point.vb
    blocks = []
    for rows in members:
        theta = point.covariance(rows)
        W = np.linalg.inv(theta)
        blocks.append((rows, theta, W))
    if kind == "CR2":
        vcov, df = _cr2(X, point.residuals, B, blocks)
    else:
        meat = np.zeros((p, p))
        for rows, _, W in blocks:
            u = X[rows].T @ W @ point.residuals[rows]
            meat += np.outer(u, u)
        vcov = J / (J - p) * B @ meat @ B
        df = np.full(p, float(J - p))
    se = np.sqrt(np.diag(vcov))
    tests = []
    for j in range(p):
        t = point.beta[j] / se[j]
        crit = float(t_crit(df[j], level))
        tests.append(
            RobustTest(
                type=kind,
                clusters=J,
                se=float(se[j]),
                statistic=float(t),
                df=float(df[j]),
                p=float(two_sided_t_p(t, df[j])),
                ci_low=float(point.beta[j] - crit * se[j]),
                ci_high=float(point.beta[j] + crit * se[j]),
            )
        )
    return tests


def _symmetric_power(matrix, power: float) -> np.ndarray:
    """clubSandwich's matrix_power: eigenvalues above 1e-12 raised to ``power``, others 0."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    kept = np.where(values > 1e-12, np.abs(values) ** power, 0.0)
    return (vectors * kept) @ vectors.T


def _cr2(X, residuals, B, blocks) -> tuple[np.ndarray, np.ndarray]:
    p = X.shape[1]
    meat = np.zeros((p, p))
    estimators, lowers = [], []
    for rows, theta, W in blocks:
        Xj = X[rows]
        L = np.linalg.cholesky(theta)  # theta = L L', U = L'
        U = L.T
        ih = np.eye(rows.size) - Xj @ B @ Xj.T @ W
        G = U @ ih @ theta @ U.T
        A = U.T @ _symmetric_power(G, -0.5) @ U
        E = Xj.T @ W @ A
        u = E @ residuals[rows]
        meat += np.outer(u, u)
        estimators.append(E)
        lowers.append(L)
    vcov = B @ meat @ B
    LB = np.linalg.cholesky(B)
    g = [B @ E @ L for E, L in zip(estimators, lowers, strict=True)]  # p x n_j
    h = [B @ E @ X[rows] @ LB for E, (rows, _, _) in zip(estimators, blocks, strict=True)]
    df = np.empty(p)
    for i in range(p):
        Hi = np.column_stack([hj[i] for hj in h])  # p x J
        P = -Hi.T @ Hi
        P[np.diag_indices_from(P)] += [float(gj[i] @ gj[i]) for gj in g]
        df[i] = np.trace(P) ** 2 / np.sum(P**2)
    return vcov, df
