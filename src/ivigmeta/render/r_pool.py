"""The R script of ``ivigmeta pool --emit-r FILE.R``: metafor's ``rma`` (with ``predict`` and
``confint``), ``rma.mh`` or ``rma.peto`` on the studies ``pool`` selected.

Prediction-interval rules as metafor spells them: ``--pi auto`` is ``predict(res)``, ``t`` is
``pi.type = "t"`` (t, k - 1 df), ``hts`` is ``pi.type = "riley"`` (t, k - 2 df for one
coefficient: metafor's ddf - parms + p; metafor floors the df at 1 where ivigmeta, at k = 2,
has no interval), and ``z`` under a t-type test, which metafor's ``predict`` does not offer,
is written out in R as mu +- qnorm * sqrt(SE² + tau²).
"""

from __future__ import annotations

from ivigmeta.render.r_literals import r_number, r_string
from ivigmeta.render.r_script import Script, count_frame, count_kind, data_frame, escalc_line

TRANSFORMS = {  # ivigmeta's back-transformation name -> the R function applied
    "exp": "exp",
    "transf.ilogit": "transf.ilogit",
    "transf.iarcsin": "transf.iarcsin",
    "transf.ztor": "transf.ztor",
    "transf.ipft.hm": "function(x) transf.ipft.hm(x, targs = list(ni = dat$ni))",
    "square": "function(x) x^2",
}
FEW = 5


def pool_script(command_line: str, options: dict) -> str:
    """The script (see :mod:`ivigmeta.render.r_script`) for ``pool`` with ``options``."""
    from ivigmeta.analyses.csv_effects import ZeroCells
    from ivigmeta.analyses.effect_data import SELECTION_KEYS, effect_data_builder
    from ivigmeta.errors import InputError

    method = str(options.get("method") or "REML").upper()
    if method == "GLMM":
        raise InputError("not available for --method GLMM (rma.glmm) in this version",
                         field="emit-r")  # fmt: skip
    test = options.get("test") or "z"
    level = float(options.get("level") or 95.0)
    pi = options.get("pi") or "auto"
    tables = method in ("MH", "PETO")
    drop00 = options.get("drop00")
    zero_cells = ZeroCells(add=options.get("add"), to=options.get("to") or "only0",
                           drop00=tables if drop00 is None else drop00,
                           keep_undefined=tables)  # fmt: skip
    selection = {key: options.get(key) for key in SELECTION_KEYS if options.get(key) is not None}
    data = effect_data_builder(options.get("outcome"), zero_cells=zero_cells, **selection)(
        options.get("r")
    )
    script = Script(f"pool: {data.measure}, method {method}, test {test}, level {level:g}",
                    command_line)  # fmt: skip
    script.notes = data.notes
    kind = count_kind(data)
    if kind is None:
        script.comments.append(
            "Data: each study's yi and vi as ivigmeta computed them"
            + (" from the study records (see ivigmeta's notes)." if data.source is None else ".")
        )
        script.add(*data_frame(data))
    else:
        where = "the CSV table" if data.source is not None else "the study records"
        script.comments.append(f"Data: the counts of {where}; escalc() computes yi and vi.")
        script.add(*count_frame(data, kind))
        escalc_measure = "PETO" if method == "PETO" else data.measure
        script.add(escalc_line(escalc_measure, kind, zero_cells))
    script.add(f"level <- {r_number(level)}")
    if tables:
        _tables_fit(script, method, data.measure, zero_cells)
    else:
        _rma_fit(script, method, test, pi)
    script.add(*_common(data.measure, method, data.source is None and data.measure == "MC"))
    _few_studies(script, method, level)
    for key, why in (
        ("tau2_ci_low_sign, tau2_ci_high_sign", "ivigmeta's marks of a bound at the search limit"),
        ("studies[].timepoint, effect, effect_ci_*", "ivigmeta's display of each study"),
        ("notes, cautions, study_ci", "ivigmeta's wording"),
        ("sweep", "--r-sweep recomputes the record-derived effect sizes (not done in R)"),
        ("few_studies.bayes", "run ivigmeta bayes --emit-r for the Bayesian analysis"),
    ):
        script.omit(key, why)
    if method == "EE":
        script.comments.append("Equal-effects model: metafor gives no tau² CI or PI; these "
                               "keys are null, as in ivigmeta.")  # fmt: skip
    script.add("", 'cat(ivigmeta_json(out), "\\n")')
    return script.text()


def _rma_fit(script: Script, method: str, test: str, pi: str) -> None:
    script.add(
        f"res <- rma(yi, vi, data = dat, method = {r_string(method)}, test = {r_string(test)}, "
        "level = level)",
        "k <- res$k",
    )
    if pi == "z" and test != "z":
        script.add(
            "# --pi z under a t-type test: metafor's predict() has no such rule; written out",
            "crit <- qnorm(1 - (1 - level / 100) / 2)",
            "half <- crit * sqrt(res$se^2 + res$tau2)",
            "pred <- list(pi.lb = res$beta[1] - half, pi.ub = res$beta[1] + half, pi.ddf = NULL)",
        )
    else:
        rule = {"auto": "", "z": "", "t": ', pi.type = "t"', "hts": ', pi.type = "riley"'}[pi]
        script.add(f"pred <- predict(res{rule})")
        if pi == "hts":
            script.add(
                "# metafor floors the riley df at 1; ivigmeta has no interval at k - 2 < 1",
                'if (k < 3) pred <- list(pi.lb = NULL, pi.ub = NULL, pi.dist = "t", '
                "pi.ddf = k - 2)",
            )
    script.add(
        'pi_df <- if (identical(pred$pi.dist, "t")) num(pred$pi.ddf) else NULL',
        'ci <- if (res$k > 1 && res$method != "EE") confint(res)$random else NULL',
        "ci_of <- function(row, end) if (is.null(ci)) NULL else num(ci[row, end])",
        "out <- list(",
        "  test = res$test, level = level, k = k,",
        "  estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb),",
        "  ci_high = num(res$ci.ub), statistic = num(res$zval),",
        '  df = if (res$test == "z") NULL else num(res$ddf), p = num(res$pval),',
        '  tau2 = num(res$tau2), se_tau2 = if (res$method == "EE") NULL else num(res$se.tau2),',
        "  tau = sqrt(num(res$tau2)), i2 = num(res$I2), h2 = num(res$H2),",
        '  tau2_ci_low = ci_of("tau^2", "ci.lb"), tau2_ci_high = ci_of("tau^2", "ci.ub"),',
        '  tau_ci_low = ci_of("tau", "ci.lb"), tau_ci_high = ci_of("tau", "ci.ub"),',
        '  i2_ci_low = ci_of("I^2(%)", "ci.lb"), i2_ci_high = ci_of("I^2(%)", "ci.ub"),',
        '  h2_ci_low = ci_of("H^2", "ci.lb"), h2_ci_high = ci_of("H^2", "ci.ub"),',
        "  q = num(res$QE), q_df = k - res$p, q_p = num(res$QEp),",
        '  pi_low = if (res$method == "EE") NULL else num(pred$pi.lb),',
        '  pi_high = if (res$method == "EE") NULL else num(pred$pi.ub),',
        '  pi_df = if (res$method == "EE") NULL else pi_df)',
        "w <- rep(NA_real_, nrow(dat)); w[!is.na(dat$yi)] <- weights(res)",
    )


def _tables_fit(script: Script, method: str, measure: str, zero_cells) -> None:
    from ivigmeta.effects.escalc import escalc_default_add

    add = zero_cells.add if zero_cells.add is not None else escalc_default_add(measure)
    # 1st element of add/to/drop00: the studies' own yi, vi (Cochran's Q); 2nd: the MH/Peto
    # estimate, on the tables as given (as ivigmeta)
    zero = (f"add = c({r_number(add)}, 0), to = c({r_string(zero_cells.to)}, \"none\"), "
            f"drop00 = c({r_number(bool(zero_cells.drop00))}, FALSE)")  # fmt: skip
    cells = "ai = ai, bi = bi, ci = ci, di = di, data = dat"
    if method == "MH":
        script.add(f"res <- rma.mh({cells}, measure = {r_string(measure)}, {zero}, level = level)")
    else:
        script.add(f"res <- rma.peto({cells}, {zero}, level = level)")
    script.add(
        "k <- res$k",
        "out <- list(",
        '  test = "z", level = level, k = k,',
        "  estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb),",
        "  ci_high = num(res$ci.ub), statistic = num(res$zval), df = NULL, p = num(res$pval),",
        "  tau2 = 0, tau = 0, i2 = num(res$I2), h2 = num(res$H2),",
        "  q = num(res$QE), q_df = res$k.yi - 1, q_p = num(res$QEp),",
        "  pi_low = NULL, pi_high = NULL)",
        "w <- weights(res)",
    )
    if method == "MH" and measure == "OR":
        script.add(
            "out$cmh <- num(res$MH); out$cmh_p <- num(res$MHp)",
            "out$tarone <- num(res$TA); out$tarone_p <- num(res$TAp)",
            "out$tarone_df <- res$k.pos - 1",
        )


def _common(measure: str, method: str, paired: bool) -> list[str]:
    """The shared tail: study rows, k = 1 fields and the natural-scale ``transformed``."""
    from ivigmeta.effects.transforms import back_transform

    lines = [
        f"out$measure <- {r_string(measure)}; out$method <- {r_string(method)}",
        "out$studies <- lapply(seq_len(nrow(dat)), function(i)",
        "  list(id = dat$study[i], yi = num(dat$yi[i]), vi = num(dat$vi[i]), weight = num(w[i])))",
        "if (k == 1) {  # as ivigmeta: nothing is pooled, so no heterogeneity and no PI",
        '  for (key in c("tau2", "tau", "i2", "h2", "q", "q_p", "pi_low", "pi_high", "pi_df"))',
        "    out[key] <- list(NULL)",
        "}",
    ]
    if paired:  # ivigmeta's paired t test of one study's change scores: not metafor's
        lines.insert(
            -1, '  for (key in c("ci_low", "ci_high", "statistic", "df", "p")) out[[key]] <- NULL'
        )
    transform = back_transform(measure)
    if transform is not None:
        lines += [
            f"tr <- {TRANSFORMS[transform.function]}",
            "at <- function(x) if (is.null(x)) NULL else num(tr(x))",
            f"out$transformed <- list(`function` = {r_string(transform.function)},",
            "  estimate = at(out$estimate), ci_low = at(out$ci_low), ci_high = at(out$ci_high),",
            "  pi_low = at(out$pi_low), pi_high = at(out$pi_high))",
        ]
    return lines


def _few_studies(script: Script, method: str, level: float) -> None:
    """``few_studies.knha`` at 2 <= k < 5: the Knapp-Hartung refit (REML for EE, MH, Peto)."""
    knha_method = "REML" if method in ("EE", "MH", "PETO") else method
    script.add(
        f"if (k >= 2 && k < {FEW}) {{  # few studies: the Knapp-Hartung reading, as ivigmeta",
        "  ok <- !is.na(dat$yi)",
        f'  kh <- rma(dat$yi[ok], dat$vi[ok], method = {r_string(knha_method)}, test = "knha", '
        "level = level)",
        "  khp <- predict(kh)",
        f"  out$few_studies <- list(knha = list(method = {r_string(knha_method)}, "
        "estimate = num(kh$beta),",
        "    se = num(kh$se), ci_low = num(kh$ci.lb), ci_high = num(kh$ci.ub), df = num(kh$ddf),",
        "    p = num(kh$pval), pi_low = num(khp$pi.lb), pi_high = num(khp$pi.ub)))",
        "}",
    )
