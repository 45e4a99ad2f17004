"""The R scripts of ``sensitivity``, ``bias``, ``subgroup`` and ``regress --emit-r FILE.R``:
metafor's ``leave1out``/``cumul``/``influence``, ``regtest``/``ranktest``/``trimfill``/``fsn``,
``rma(subset = )`` per group with ``rma(mods = ~ factor(group))``, and ``rma(mods = )``, on
the yi and vi ivigmeta analysed (see :mod:`ivigmeta.render.r_script`)."""

from __future__ import annotations

from ivigmeta.render.r_literals import r_number, r_string, r_vector
from ivigmeta.render.r_script import Script, data_frame

ROW = (
    "list(id = {id}, k = {k}, estimate = num(x$estimate[i]), se = num(x$se[i]),\n"
    "    statistic = num((if (is.null(x$zval)) x$tval else x$zval)[i]),\n"
    '    df = if (res$test == "z") NULL else {df},\n'
    "    p = num(x$pval[i]), ci_low = num(x$ci.lb[i]), ci_high = num(x$ci.ub[i]),\n"
    "    tau2 = num(x$tau2[i]), i2 = num(x$I2[i]), h2 = num(x$H2[i]), q = num(x$Q[i]),\n"
    "    q_p = num(x$Qp[i]))"
)
WORDING = ("notes, cautions", "ivigmeta's wording")


def _options(options: dict) -> tuple[str, str, float]:
    return (str(options.get("method") or "REML").upper(), options.get("test") or "z",
            float(options.get("level") or 95.0))  # fmt: skip


def _data(options: dict):
    from ivigmeta.analyses.effect_data import SELECTION_KEYS, load_effect_data

    selection = {key: options.get(key) for key in SELECTION_KEYS if options.get(key) is not None}
    return load_effect_data(options.get("outcome"), r=options.get("r"), **selection)


def _start(title: str, command_line: str, data, method: str, test: str, level: float,
           extra: dict | None = None, keep=None) -> Script:  # fmt: skip
    script = Script(f"{title}: {data.measure}, method {method}, test {test}, level {level:g}",
                    command_line)  # fmt: skip
    script.comments.append(
        "Data: each study's yi and vi as ivigmeta computed them"
        + (" from the study records." if data.source is None else " from the CSV table.")
    )
    script.notes = data.notes
    script.add(*data_frame(data, keep=keep, extra=extra))
    script.add(
        f"level <- {r_number(level)}",
        f"res <- rma(yi, vi, data = dat, method = {r_string(method)}, test = {r_string(test)}, "
        "level = level, slab = dat$study)",
        "k <- res$k",
    )
    script.omit(*WORDING)
    return script


def _header(measure: str) -> str:
    return (f"out <- list(measure = {r_string(measure)}, method = res$method, test = res$test, "
            "level = level, k = k)")  # fmt: skip


def _finish(script: Script) -> str:
    script.add("", 'cat(ivigmeta_json(out), "\\n")')
    return script.text()


def sensitivity_script(command_line: str, options: dict) -> str:
    """``leave1out(res)``, ``cumul(res, order = )`` and ``influence(res)``."""
    from ivigmeta.analyses.sensitivity import _order_keys

    method, test, level = _options(options)
    data = _data(options)
    name, keys = _order_keys(data, options.get("order"))
    order = list(range(data.k)) if keys is None else sorted(range(data.k), key=keys.__getitem__)
    position = [0] * data.k
    for rank, index in enumerate(order):
        position[index] = rank + 1
    script = _start("sensitivity", command_line, data, method, test, level,
                    extra={"position": (position, False)})  # fmt: skip
    script.comments.append(f"Cumulative order: by {name} (ties keep the input order), as the "
                           "'position' column.")  # fmt: skip
    script.add(
        _header(data.measure),
        f"out$cumulative_order <- {r_string(name)}",
        "x <- leave1out(res)",
        "out$leave_one_out <- lapply(seq_len(k), function(i) "
        + ROW.format(id="dat$study[i]", k="k - 1L", df="k - 2L"),
        ")",
        "x <- cumul(res, order = dat$position)",
        "ids <- dat$study[order(dat$position)]",
        "out$cumulative <- lapply(seq_len(k), function(i) "
        + ROW.format(id="ids[i]", k="i", df="if (i == 1L) NULL else i - 1L"),
        ")",
        "infl <- influence(res)",
        "out$influence <- lapply(seq_len(k), function(i) with(infl$inf, list(",
        "  id = dat$study[i], rstudent = num(rstudent[i]), dffits = num(dffits[i]),",
        "  cook_d = num(cook.d[i]), cov_r = num(cov.r[i]), tau2_del = num(tau2.del[i]),",
        "  qe_del = num(QE.del[i]), hat = num(hat[i]), weight = num(weight[i]),",
        "  dfbetas = arr(sapply(seq_len(res$p), function(j) infl$dfbs[[j]][i])),",
        "  influential = unname(infl$is.infl[i]))))",
    )
    script.comments.append("cumul() at k = 1 has no test of heterogeneity: metafor gives NA "
                           "where ivigmeta gives Q = 0, p = 1 (null here).")  # fmt: skip
    return _finish(script)


def bias_script(command_line: str, options: dict) -> str:
    """``regtest``, ``ranktest``, ``trimfill`` and ``fsn`` (Rosenthal)."""
    method, test, level = _options(options)
    data = _data(options)
    script = _start("bias", command_line, data, method, test, level)
    model = options.get("egger_model") or "rma"
    estimator = options.get("estimator") or "L0"
    side = options.get("side")
    side_arg = f", side = {r_string(side)}" if side else ""
    script.add(
        _header(data.measure),
        f'eg <- regtest(res, model = {r_string(model)}, predictor = "sei")',
        f"out$egger <- list(model = {r_string(model)}, "
        + (
            'method = NULL, test = "t", k = k,'
            if model == "lm"
            else "method = res$method, test = res$test, k = k,"
        ),
        "  statistic = num(eg$zval), df = if (is.null(eg$dfs) || is.na(eg$dfs)) NULL else "
        "num(eg$dfs),",
        "  p = num(eg$pval), limit_estimate = num(eg$est), limit_ci_low = num(eg$ci.lb),",
        "  limit_ci_high = num(eg$ci.ub))",
        "rk <- ranktest(res)",
        "out$rank <- list(k = k, tau = num(rk$tau), p = num(rk$pval))",
        f"tf <- trimfill(res, estimator = {r_string(estimator)}{side_arg})",
        f"out$trimfill <- list(estimator = {r_string(estimator)}, side = tf$side, "
        "k0 = num(tf$k0), k = tf$k,",
        "  method = tf$method, test = tf$test, estimate = num(tf$beta), se = num(tf$se),",
        "  ci_low = num(tf$ci.lb), ci_high = num(tf$ci.ub), statistic = num(tf$zval),",
        "  p = num(tf$pval), tau2 = num(tf$tau2), filled_yi = arr(tf$yi[tf$fill]),",
        "  filled_vi = arr(tf$vi[tf$fill]))",
        'fs <- fsn(dat$yi, dat$vi, type = "Rosenthal")',
        "out$failsafe_n <- num(fs$fsnum)",
        "out$failsafe <- list(k = k, failsafe_n = num(fs$fsnum), p = num(fs$pval), "
        "alpha = num(fs$alpha))",
    )
    script.omit("rank.exact", "whether cor.test's p is exact (not returned by ranktest)")
    return _finish(script)


def subgroup_script(command_line: str, options: dict) -> str:
    """Each group pooled on its own, the Wald-type test of the group estimates
    (``rma(est, sei = se, method = "EE")$QE``) and the common-tau² model
    ``rma(yi, vi, mods = ~ factor(group))``."""
    from ivigmeta.analyses.subgroup import _label

    method, test, level = _options(options)
    data = _data(options)
    by = options["by"]
    values = data.values(by)
    keep = [i for i, value in enumerate(values) if value is not None]
    labels = [_label(value) if value is not None else None for value in values]
    levels = sorted({labels[i] for i in keep})
    script = _start("subgroup", command_line, data, method, test, level,
                    extra={"group": (labels, True)}, keep=keep)  # fmt: skip
    script.comments.append(
        f"Groups: the values of {by!r} in ivigmeta's order (the first is the reference "
        "level); studies without a value are left out."
    )
    script.add(
        f"groups <- {r_vector(levels, strings=True, what='group')}",
        "dat$group <- factor(dat$group, levels = groups)",
        _header(data.measure),
        f"out$by <- {r_string(by, 'field')}",
        "fits <- lapply(groups, function(g) rma(yi, vi, data = dat, subset = group == g, "
        "method = res$method, test = res$test, level = level))",
        "out$groups <- lapply(seq_along(groups), function(j) with(fits[[j]], list(",
        "  name = groups[j], k = k, estimate = num(beta), se = num(se), ci_low = num(ci.lb),",
        "  ci_high = num(ci.ub), statistic = num(zval), p = num(pval), tau2 = num(tau2),",
        "  i2 = num(I2), q = num(QE), q_p = num(QEp))))",
        "between <- rma(sapply(fits, function(f) num(f$beta)), sei = sapply(fits, function(f) "
        'f$se), method = "EE")',
        "out$q_between <- num(between$QE); out$q_between_df <- length(groups) - 1",
        "out$q_between_p <- num(between$QEp)",
        "common <- tryCatch(rma(yi, vi, mods = ~ group, data = dat, method = res$method, "
        "test = res$test, level = level), error = function(e) NULL)",
        "if (!is.null(common)) {",
        "  out$common_tau2 <- num(common$tau2); out$common_qm <- num(common$QM)",
        "  out$common_qm_df <- num(common$QMdf[1])",
        '  out$common_qm_df2 <- if (common$test == "z") NULL else num(common$QMdf[2])',
        "  out$common_qm_p <- num(common$QMp)",
        "}",
    )
    return _finish(script)


def regress_script(command_line: str, options: dict) -> str:
    """``rma(yi, vi, mods = ~ a + b)``: coefficients, QM, QE, pseudo R²."""
    method, test, level = _options(options)
    data = _data(options)
    mods = options["mods"]
    names = [m.strip() for m in mods.split(",")] if isinstance(mods, str) else list(mods)
    columns = {f"mod{j + 1}": (data.numbers(name), False) for j, name in enumerate(names)}
    script = _start("regress", command_line, data, method, test, level, extra=columns)
    script.comments.append("Moderators: mod1, mod2, ... are the fields named in 'mods' below, "
                           "as numbers (booleans 1/0).")  # fmt: skip
    formula = " + ".join(columns)
    script.add(
        f"mods <- {r_vector(names, strings=True, what='moderator')}",
        f"fit <- rma(yi, vi, mods = ~ {formula}, data = dat, method = res$method, "
        "test = res$test, level = level)",
        _header(data.measure),
        "out$mods <- arr(mods)",
        'coef_names <- c("intercept", mods)',
        "out$coefficients <- lapply(seq_along(coef_names), function(j) with(fit, list(",
        "  name = coef_names[j], estimate = num(beta[j]), se = num(se[j]), ci_low = num(ci.lb[j]),",
        "  ci_high = num(ci.ub[j]), statistic = num(zval[j]), p = num(pval[j]))))",
        'out$df <- if (fit$test == "z") NULL else num(fit$ddf[1])',
        "out$tau2 <- num(fit$tau2); out$i2 <- num(fit$I2)",
        "out$qm <- num(fit$QM); out$qm_df <- num(fit$QMdf[1])",
        'out$qm_df2 <- if (fit$test == "z") NULL else num(fit$QMdf[2])',
        "out$qm_p <- num(fit$QMp)",
        "out$qe <- num(fit$QE); out$qe_df <- fit$k - fit$p; out$qe_p <- num(fit$QEp)",
        "out$r2 <- if (is.null(fit$R2)) NULL else num(fit$R2)",
    )
    return _finish(script)
