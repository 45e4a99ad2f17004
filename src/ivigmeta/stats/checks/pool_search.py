"""Can one tau² estimator and test give a printed pooled line, over the rounding boxes of the
printed study rows? A search with certificates.

Problem. Studies given as raw data have fixed (yi, vi); a study printed as an estimate and CI
has (yi, sei) anywhere in its polygon P_i (:mod:`ivigmeta.stats.checks.study_boxes`). For a
model (method, test, PI and I² rule; :mod:`ivigmeta.stats.checks.pooled_line`) and the printed
intervals [l_q, u_q] of the pooled quantities f_q, the question is whether some x in the box
P = P_1 x ... x P_m gives l_q <= f_q(x) <= u_q for every printed q *at once*; and, for the
report, the range of each f_q over P.

Method. The f_q are smooth in x except where tau² is truncated at 0, and the box is small
(rounding), so they are nearly linear over it:

1. exact evaluations (metafor's rma, vectorised: :func:`~ivigmeta.stats.models.pool_many.
   estimate_tau2_many` and ``summarise_many``, one call for all points) at the box centre,
   at 64 random vertex combinations and 64 random interior points;
2. secant slopes of every f_q from central differences about the centre (step a quarter of
   each polygon's half-width; these stencil points are used for slopes only);
3. for each f_q, the box points where the linear model is largest and smallest (for a linear
   function, each study's vertex maximising its own term), evaluated exactly;
4. for each model not yet reproduced, a linear programme (HiGHS, ``scipy.optimize.linprog``)
   for the point of P that maximises the smallest margin t to the printed bounds (t·w_q, w_q
   the half-width of each interval; a bound on the edge of a quantity's domain, such as
   tau² >= 0 for a printed "0.00", is dropped): it lands in the middle of the feasible
   region if there is one, so the linearisation error matters least. The point is evaluated
   exactly, the model re-linearised there by central differences with steps of 1/1000 of the
   polygons' half-widths (local slopes: sequential linear programming), and the LP solved
   again, up to 6 rounds, from whichever of the full step and the steps damped to 1/2 and 1/4
   (a trust region: all are in P, which is convex) violates the printed bounds least; a model
   stops early when, linearised at its last LP point, the
   best margin is below -1 (a half-width short even at the optimum). Models whose LPs
   coincide (the two I² definitions under DL and EE) share one solution.

Verdicts and their limits. A model is *reproducing* only when an exact evaluation at an
admissible point (inside every polygon) gives every printed number: that point is returned
as the witness, so "reproduces" is never a linearisation artefact. The ranges are the least
and greatest exact values found: inner bounds of the true ranges (true ranges can be a little
wider). A model is rejected (no LP) when its linear range misses a printed interval by more
than twice the linearisation error measured at the extreme points; otherwise by failing the
LP search. So a rejection is a search failure, not a proof: where the functions bend strongly
over the box (tau² crossing 0 within it, REML's switch to 0 by metafor's ll0check) a joint
point may be missed. The oracle (tests/oracle/reproduce_pool.R) measures how often: the
generating model was found for 120 of 120 metafor-made printed lines, and 195 of 195 corrupted
copies were rejected. The printed p enters the LPs as an interval of the test statistic (of
the sign at the linearisation point), the printed p of Q as one of Q.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ivigmeta.stats.checks.pooled_line import Targets, Variant, inside, judge, model_values
from ivigmeta.stats.checks.study_boxes import StudyBox
from ivigmeta.stats.models.pool_many import Padded, estimate_tau2_many, summarise_many

SAMPLES = 64
LP_ROUNDS = 6
LOCAL_STEP = 1e-3
GIVE_UP = 1.0
DAMPING = (1.0, 0.5, 0.25)


@dataclass(frozen=True)
class VariantOutcome:
    """What the search found for one variant: whether it reproduces the printed line, the
    model's values at the witness (None if not reproduced), each printed quantity's range of
    exact values found (model scale; p and q_p as p-values) and its verdict (True:
    consistent)."""

    variant: Variant
    reproduced: bool
    witness: dict[str, float] | None
    ranges: dict[str, tuple[float, float]]
    consistent: dict[str, bool]


class _Fits:
    """Exact evaluations of one tau² estimator for points x of the box (rows of X)."""

    def __init__(self, method, fixed_y, fixed_v, boxes, tests, level) -> None:
        self.method, self.tests, self.level = method, tuple(tests), level
        self.fixed_y = np.asarray(fixed_y, dtype=float)
        self.fixed_v = np.asarray(fixed_v, dtype=float)
        self.boxes = boxes
        self.with_p = True

    def __call__(self, X: np.ndarray, with_p: bool = True) -> dict[str, dict[str, np.ndarray]]:
        n, f = X.shape[0], self.fixed_y.size
        y = np.empty((f + len(self.boxes), n))
        v = np.empty_like(y)
        y[:f], v[:f] = self.fixed_y[:, None], self.fixed_v[:, None]
        y[f:], v[f:] = X[:, 0::2].T, X[:, 1::2].T ** 2
        d = Padded.from_columns(y, v)
        tau2, converged, iterations = estimate_tau2_many(d, self.method)
        fit = summarise_many(d, tau2, converged, iterations, self.method, "z", self.level, "z")
        with np.errstate(invalid="ignore"):
            w = 1.0 / (v + np.where(np.isnan(tau2), 0.0, tau2))
            rss = (w * (y - fit.estimate) ** 2).sum(axis=0)
        return {test: model_values(fit, test, rss, with_p=with_p and self.with_p)
                for test in self.tests}  # fmt: skip


def search(method, fixed_y, fixed_v, boxes: list[StudyBox], targets: Targets, tests, *,
           level: float = 95.0, seed: int = 0) -> list[VariantOutcome]:  # fmt: skip
    """Search every variant of ``targets.variants(tests)`` for ``method`` (module docstring)."""
    fits = _Fits(method, fixed_y, fixed_v, boxes, tests, level)
    fits.with_p = "p" in targets.intervals
    variants = targets.variants(tests)
    state = _State(targets, variants, boxes)
    rng = np.random.default_rng(seed)
    centre = np.concatenate([b.centre for b in boxes]) if boxes else np.zeros(0)
    first = [centre[None, :]]
    if boxes:
        first += [_random_vertices(boxes, rng, SAMPLES), _random_interior(boxes, rng, SAMPLES)]
    state.add(np.vstack(first), fits)
    if not boxes:
        return state.outcomes()
    slopes = _secants(fits, boxes, centre)
    state.extremes(slopes, fits)
    pending = {v: (centre, slopes) for v in state.open() if not state.hopeless(v, slopes)}
    for round_ in range(LP_ROUNDS):
        if not pending:
            break
        found, solved = {}, {}
        for v, lin in pending.items():
            signature = _signature(targets, v, *lin)
            if signature not in solved:
                solved[signature] = _max_margin(boxes, targets, v, *lin)
            x, margin = solved[signature]
            # linearised near the last LP point, a margin far below 0 means no joint point
            if x is not None and (round_ == 0 or margin > -GIVE_UP):
                found[v] = x
        if not found:
            break
        # damped steps too (a trust region): the best of them is where to re-linearise
        tried = {v: [pending[v][0] + a * (x - pending[v][0]) for a in DAMPING]
                 for v, x in found.items()}  # fmt: skip
        points = {x.tobytes(): x for xs in tried.values() for x in xs}  # shared LPs, shared x
        rows = {key: j for j, key in enumerate(points)}
        values = state.add(np.vstack(list(points.values())), fits)
        pending = {v: min(xs, key=lambda x, v=v: state.violation(v, values, rows[x.tobytes()]))
                   for v, xs in tried.items() if v in state.open()}  # fmt: skip
        if round_ + 1 < LP_ROUNDS and pending:
            points = {x.tobytes(): x for x in pending.values()}
            lins = dict(zip(points, _secants_at(fits, boxes, list(points.values()),
                                                scale=LOCAL_STEP), strict=True))  # fmt: skip
            pending = {v: (x, lins[x.tobytes()]) for v, x in pending.items()}
    return state.outcomes()


class _State:
    """Ranges, hits and witnesses gathered over the exact evaluations."""

    def __init__(self, targets: Targets, variants: list[Variant], boxes) -> None:
        self.targets, self.variants, self.boxes = targets, variants, boxes
        self.ranges = {v: {n: (math.inf, -math.inf) for n in targets.names} for v in variants}
        self.witness: dict[Variant, dict[str, float]] = {}
        self.errors: dict[str, float] = {}  # linearisation error per column

    def add(self, X: np.ndarray, fits: _Fits) -> dict:
        """Evaluate every row of X; only rows inside every polygon count as ranges and
        witnesses. Returns the values of all rows."""
        admissible = _admissible(self.boxes, X)
        every_row = fits(X)
        values = {
            t: {c: col[admissible] for c, col in cols.items()} for t, cols in every_row.items()
        }
        if not admissible.any():
            return every_row
        for v in self.variants:
            got = values[v.test]
            ok = judge(got, self.targets, v)
            for name in self.targets.names:
                column = got[v.key(name)]
                column = column[np.isfinite(column)]
                if column.size:
                    low, high = self.ranges[v][name]
                    self.ranges[v][name] = (min(low, column.min()), max(high, column.max()))
            every = np.logical_and.reduce(list(ok.values())) if ok else np.ones(X.shape[0], bool)
            if v not in self.witness and every.any():
                i = int(np.flatnonzero(every)[0])
                self.witness[v] = {key: float(col[i]) for key, col in got.items()}
        return every_row

    def violation(self, v: Variant, values: dict, row: int) -> float:
        """Sum of the printed bounds' violations, in half-widths, at one evaluated row."""
        got = values[v.test]
        total = 0.0
        for _, column, low, high in self.targets.linear_targets(v, got["statistic"][row]):
            value = got[column][row]
            if not math.isfinite(value):
                return math.inf
            w = _width(low, high)
            total += max(0.0, (low - value) / w, (value - high) / w)
        return total

    def open(self) -> list[Variant]:
        return [v for v in self.variants if v not in self.witness]

    def extremes(self, slopes: dict, fits: _Fits) -> None:
        """Evaluate the linear models' extreme points; record each column's error there."""
        points, columns = [], []
        for test, lin in slopes.items():
            for column, value in lin.items():
                if column == "_x":
                    continue
                f0, g = value
                if not (np.isfinite(f0) and np.isfinite(g).all()):
                    continue
                for sign in (1.0, -1.0):
                    x, predicted = _vertex_extreme(self.boxes, sign * g, lin["_x"])
                    points.append(x)
                    columns.append((test, column, f0 + sign * predicted))
        if not points:
            return
        values = fits(np.vstack(points))
        for i, (test, column, predicted) in enumerate(columns):
            error = abs(values[test][column][i] - predicted)
            key = f"{test}|{column}"
            self.errors[key] = max(self.errors.get(key, 0.0), error if math.isfinite(error)
                                   else math.inf)  # fmt: skip
        self.add(np.vstack(points), fits)

    def hopeless(self, v: Variant, slopes: dict) -> bool:
        """The linear range of some printed quantity misses its interval by more than twice
        the linearisation error, and no exact value reached it either."""
        lin = slopes[v.test]
        for name in self.targets.names:
            if self.consistent(v, name):
                continue
            for quantity, column, low, high in self.targets.linear_targets(v, lin["statistic"][0]):
                if quantity != name:
                    continue
                f0, g = lin[column]
                if not (np.isfinite(f0) and np.isfinite(g).all()):
                    return False
                top = f0 + _vertex_extreme(self.boxes, g, lin["_x"])[1]
                bottom = f0 - _vertex_extreme(self.boxes, -g, lin["_x"])[1]
                miss = max(low - top, bottom - high, 0.0)
                if miss > 2.0 * self.errors.get(f"{v.test}|{column}", math.inf) + 1e-12:
                    return True
        return False

    def consistent(self, v: Variant, name: str) -> bool:
        if v in self.witness:
            return True
        low, high = self.ranges[v][name]
        if low > high:
            return False
        t_low, t_high = self.targets.intervals[name]
        return bool(inside(np.array([t_low]), -math.inf, high)[0]
                    and inside(np.array([t_high]), low, math.inf)[0])  # fmt: skip

    def outcomes(self) -> list[VariantOutcome]:
        return [VariantOutcome(v, v in self.witness, self.witness.get(v),
                               {n: r for n, r in self.ranges[v].items() if r[0] <= r[1]},
                               {n: self.consistent(v, n) for n in self.targets.names})
                for v in self.variants]  # fmt: skip


def _admissible(boxes, X: np.ndarray) -> np.ndarray:
    ok = np.ones(X.shape[0], dtype=bool)
    for i, box in enumerate(boxes):
        p = X[:, 2 * i : 2 * i + 2]
        tol = 1e-9 * np.maximum(1.0, np.abs(box.b))
        ok &= ((p @ box.a.T) <= box.b + tol).all(axis=1)
    return ok


def _random_vertices(boxes, rng, n: int) -> np.ndarray:
    return np.hstack([b.vertices[rng.integers(len(b.vertices), size=n)] for b in boxes])


def _random_interior(boxes, rng, n: int) -> np.ndarray:
    columns = []
    for b in boxes:
        weights = rng.dirichlet(np.ones(len(b.vertices)), size=n)
        columns.append(weights @ b.vertices)
    return np.hstack(columns)


def _secants(fits: _Fits, boxes, x: np.ndarray) -> dict:
    """Per test, {column: (value at x, secant slopes)} from central differences about x
    (step a quarter of each polygon's half-width); ``"_x"`` holds x."""
    return _secants_at(fits, boxes, [x])[0]


def _secants_at(fits: _Fits, boxes, points: list[np.ndarray], scale: float = 0.25) -> list[dict]:
    """:func:`_secants` about each of ``points`` with steps ``scale`` times each polygon's
    half-width, evaluated in one batch."""
    steps = np.concatenate([np.maximum(b.half_extent * scale, 1e-12) for b in boxes])
    floor = np.concatenate([[-np.inf, b.vertices[:, 1].min() / 2.0] for b in boxes])
    n = steps.size
    diagonal = (np.arange(n), np.arange(n))
    stencils = []
    for x in points:
        X = np.repeat(x[None, :], 2 * n + 1, axis=0)
        X[1 : n + 1][diagonal] += steps
        X[n + 1 :][diagonal] -= steps
        stencils.append(np.maximum(X, floor))
    values = fits(np.vstack(stencils), with_p=False)  # slopes of the statistic, not of p
    out = []
    for j, (x, X) in enumerate(zip(points, stencils, strict=True)):
        span = X[1 : n + 1][diagonal] - X[n + 1 :][diagonal]
        rows = slice(j * (2 * n + 1), (j + 1) * (2 * n + 1))
        lins = {}
        for test, columns in values.items():
            lin = {"_x": x}
            for column, full in columns.items():
                col = full[rows]
                with np.errstate(invalid="ignore"):
                    lin[column] = (col[0], (col[1 : n + 1] - col[n + 1 :]) / span)
            lins[test] = lin
        out.append(lins)
    return out


def _vertex_extreme(boxes, g: np.ndarray, x0: np.ndarray) -> tuple[np.ndarray, float]:
    """The vertex combination maximising g·(x - x0), and that maximum."""
    vertices = _padded_vertices(tuple(boxes))  # (m, n_max, 2), short polygons repeat a vertex
    terms = np.einsum("mvj,mj->mv", vertices - x0.reshape(-1, 1, 2), g.reshape(-1, 2))
    best = terms.argmax(axis=1)
    rows = np.arange(len(boxes))
    return vertices[rows, best].ravel(), float(terms[rows, best].sum())


@functools.lru_cache(maxsize=8)
def _padded_vertices(boxes: tuple[StudyBox, ...]) -> np.ndarray:
    most = max(len(b.vertices) for b in boxes)
    return np.stack([np.vstack([b.vertices] + [b.vertices[:1]] * (most - len(b.vertices)))
                     for b in boxes])  # fmt: skip


def _max_margin(boxes, targets: Targets, v: Variant, x0: np.ndarray, slopes: dict):
    """The LP of step 4: maximise t subject to x in every polygon and
    l_q + t w_q <= f_q(x0) + g_q·(x - x0) <= u_q - t w_q, t <= 1: (x, t), or (None, -inf)
    where it cannot be set up or solved."""
    from scipy.optimize import linprog

    lin = slopes[v.test]
    m = 2 * len(boxes)
    rows, bounds = [], []
    for i, b in enumerate(boxes):
        block = np.zeros((len(b.b), m + 1))
        block[:, 2 * i : 2 * i + 2] = b.a
        rows.append(block)
        bounds.append(b.b)
    for _, column, low, high in targets.linear_targets(v, lin["statistic"][0]):
        f0, g = lin[column]
        if not (np.isfinite(f0) and np.isfinite(g).all()):
            return None, -math.inf
        c = f0 - g @ x0
        w = _width(low, high)
        if math.isfinite(low):
            rows.append(np.append(-g, w)[None, :])
            bounds.append([c - low])
        if math.isfinite(high):
            rows.append(np.append(g, w)[None, :])
            bounds.append([high - c])
    cost = np.zeros(m + 1)
    cost[-1] = -1.0
    result = linprog(cost, A_ub=np.vstack(rows), b_ub=np.concatenate(bounds),
                     bounds=[(None, None)] * m + [(-1e6, 1.0)], method="highs")  # fmt: skip
    if result.status != 0:
        return None, -math.inf
    return _pull_inside(boxes, result.x[:m]), float(result.x[-1])


def _width(low: float, high: float) -> float:
    """The scale of an interval's margins: its half-width, or for a one-sided interval 5% of
    its finite bound (at least 0.05)."""
    if math.isfinite(high - low):
        return max((high - low) / 2.0, 1e-300)
    finite = [abs(x) for x in (low, high) if math.isfinite(x)]
    return 0.05 * max([1.0, *finite[:1]])


def _pull_inside(boxes, x: np.ndarray) -> np.ndarray:
    """x moved towards each polygon's centroid just enough to lie inside it (the LP solver
    meets its constraints to a feasibility tolerance of about 1e-7, not exactly)."""
    x = x.copy()
    for i, box in enumerate(boxes):
        p = x[2 * i : 2 * i + 2]
        out = box.a @ (p - box.centre)
        room = box.b - box.a @ box.centre
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(out > room, room / out, 1.0)
        x[2 * i : 2 * i + 2] = box.centre + min(1.0, float(factor.min())) * (p - box.centre)
    return x


def _signature(targets: Targets, v: Variant, x0: np.ndarray, slopes: dict) -> tuple:
    """The LP of a variant as data: variants whose constraints coincide (I² rules under DL
    and EE, where both definitions agree) share one solution."""
    lin = slopes[v.test]
    parts = [x0.tobytes()]
    for _, column, low, high in targets.linear_targets(v, lin["statistic"][0]):
        f0, g = lin[column]
        parts.append((low, high, float(f0), np.asarray(g).tobytes()))
    return tuple(parts)
