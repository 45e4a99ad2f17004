"""The R script of ``ivigmeta bayes --emit-r FILE.R``: bayesmeta 3.4's ``bayesmeta()`` on the
yi and standard errors ivigmeta analysed, with the same tau and mu priors and ivigmeta's
integration settings (``delta = 1e-4, epsilon = 1e-7``, finer than bayesmeta's default).

Priors as bayesmeta takes them: ``half-normal:S`` -> ``dhalfnormal(t, scale = S)``, and so on
(the densities of bayesmeta and R), ``uniform`` -> ``"uniform"``, ``jeffreys``,
``dumouchel``, ``shrinkage``, ``i2`` -> bayesmeta's named priors ``"Jeffreys"``,
``"DuMouchel"``, ``"shrinkage"``, ``"I2"``, ``turner[:OUTCOME,C1,C2]`` ->
``TurnerEtAlPrior(...)$dprior``. bayesmeta cannot integrate the Rhodes et al. priors (its
``RhodesEtAlPrior`` density is unbounded at 0), so no script is written for them.
"""

from __future__ import annotations

from ivigmeta.errors import InputError
from ivigmeta.render.r_literals import r_number, r_string
from ivigmeta.render.r_script import Script, data_frame

_DENSITIES = {  # name -> (R density of t, number of arguments)
    "half-normal": ("dhalfnormal(t, scale = {0})", 1),
    "half-cauchy": ("dhalfcauchy(t, scale = {0})", 1),
    "half-t": ("dhalft(t, df = {0}, scale = {1})", 2),
    "half-logistic": ("dhalflogistic(t, scale = {0})", 1),
    "exponential": ("dexp(t, rate = {0})", 1),
    "lomax": ("dlomax(t, shape = {0}, scale = {1})", 2),
    "uniform": ("dunif(t, min = 0, max = {0})", 1),
    "log-normal": ("dlnorm(t, meanlog = {0}, sdlog = {1})", 2),
}
_NAMED = {"uniform": "uniform", "jeffreys": "Jeffreys", "dumouchel": "DuMouchel",
          "shrinkage": "shrinkage", "i2": "I2"}  # fmt: skip
_COMPARATORS = {"pharma": 1, "non-pharma": 2, "placebo": 3}  # bayesmeta's comparator order


def tau_prior_r(name: str) -> str:
    """bayesmeta's ``tau.prior`` argument (R source) for ivigmeta's canonical prior ``name``."""
    from ivigmeta.stats.models.bayes_priors import TURNER_OUTCOMES

    key, _, rest = name.partition(":")
    args = [a for a in rest.split(",") if a] if rest else []
    if key in _DENSITIES and (args or key != "uniform"):
        template, count = _DENSITIES[key]
        return "function(t) " + template.format(*(r_number(float(a)) for a in args[:count]))
    if key in _NAMED and not args:
        return r_string(_NAMED[key])
    if key == "turner":
        if not args:
            return "TurnerEtAlPrior()$dprior"
        outcome = TURNER_OUTCOMES.index(args[0]) + 2  # after bayesmeta's NA (marginal)
        c1, c2 = (_COMPARATORS[c] for c in args[1:3])
        levels = "eval(formals(TurnerEtAlPrior)${})"
        return (
            f"TurnerEtAlPrior(outcome = {levels.format('outcome')}[{outcome}], "
            f"comparator1 = {levels.format('comparator1')}[{c1}], "
            f"comparator2 = {levels.format('comparator2')}[{c2}])$dprior"
        )
    raise InputError(f"bayesmeta 3.4 cannot integrate the tau prior {name} (Rhodes et al. "
                     "log-t priors are unbounded at tau = 0); no R script is written",
                     field="emit-r")  # fmt: skip


def bayes_script(command_line: str, options: dict) -> str:
    """The script (see :mod:`ivigmeta.render.r_script`) for ``bayes`` with ``options``."""
    import numpy as np

    from ivigmeta.analyses.bayes import default_tau_prior, parse_mu_prior
    from ivigmeta.analyses.effect_data import SELECTION_KEYS, effect_data_builder
    from ivigmeta.stats.models.bayes_priors import parse_tau_prior

    selection = {key: options.get(key) for key in SELECTION_KEYS if options.get(key) is not None}
    data = effect_data_builder(options.get("outcome"), **selection)(options.get("r"))
    level = float(options.get("level") or 95.0)
    mu = parse_mu_prior(options.get("mu_prior"))
    text = options.get("tau_prior")
    chosen = text is None
    if chosen:
        text, _ = default_tau_prior(data)
    prior = parse_tau_prior(text, np.sqrt(np.asarray(data.vi, dtype=float)))
    script = Script(f"bayes: {data.measure}, tau prior {prior.name}, level {level:g}",
                    command_line, packages=("bayesmeta",))  # fmt: skip
    script.comments.append("Data: each study's yi and vi as ivigmeta computed them.")
    script.notes = data.notes
    if chosen:
        script.comments.append(f"tau prior: ivigmeta's default for these data, {prior.name}.")
    script.add(*data_frame(data))
    mu_arg = (
        "" if mu is None else f", mu.prior = c(mean = {r_number(mu[0])}, sd = {r_number(mu[1])})"
    )
    script.add(
        f"level <- {r_number(level)}; lv <- level / 100",
        "sei <- sqrt(dat$vi)",
        f"b <- bayesmeta(y = dat$yi, sigma = sei, labels = dat$study, "
        f"tau.prior = {tau_prior_r(prior.name)}{mu_arg}, delta = 1e-4, epsilon = 1e-7)",
        "summ <- function(what) {",
        "  s <- b$summary[, what]",
        '  ci <- if (level == 95) s[c("95% lower", "95% upper")]',
        '    else if (what == "tau") b$post.interval(tau.level = lv)',
        '    else if (what == "mu") b$post.interval(mu.level = lv)',
        "    else b$post.interval(mu.level = lv, predict = TRUE)",
        '  list(mode = num(s["mode"]), median = num(s["median"]), mean = num(s["mean"]),',
        '       sd = num(s["sd"]), ci_low = num(ci[1]), ci_high = num(ci[2]))',
        "}",
        f"out <- list(measure = {r_string(data.measure)}, k = b$k, "
        f"tau_prior = {r_string(prior.name)},",
        "  tau_prior_proper = b$tau.prior.proper, "
        f"mu_prior_proper = {r_number(mu is not None)}, level = level,",
        '  tau = summ("tau"), mu = summ("mu"), theta_new = summ("theta"),',
        "  mu_central = arr(b$qposterior(mu.p = c((1 - lv) / 2, 1 - (1 - lv) / 2))),",
        "  p_mu_below_0 = num(b$pposterior(mu = 0)),",
        '  i2_median = num(100 * b$I2(b$summary["median", "tau"])),',
        "  marginal_likelihood = num(b$marginal.likelihood),",
        '  bayes_factor_tau0 = num(b$bayesfactor["actual", "tau=0"]),',
        '  bayes_factor_mu0 = num(b$bayesfactor["actual", "mu=0"]),',
        "  delta = 1e-4, epsilon = 1e-7)",
        "out$studies <- lapply(seq_len(b$k), function(i) {",
        '  ci <- if (level == 95) b$theta[c("95% lower", "95% upper"), i]',
        "        else b$post.interval(mu.level = lv, individual = i)",
        "  list(id = dat$study[i], yi = num(dat$yi[i]), sei = num(sei[i]), shrinkage = list(",
        '    mean = num(b$theta["mean", i]), median = num(b$theta["median", i]),',
        '    sd = num(b$theta["sd", i]), ci_low = num(ci[1]), ci_high = num(ci[2])))',
        "})",
        "",
        'cat(ivigmeta_json(out), "\\n")',
    )
    script.omit("tau_prior_label, mu_prior", "ivigmeta's wording of the priors")
    script.omit("grid_size", "ivigmeta's DIRECT grid (bayesmeta's nrow(b$support) differs)")
    script.omit("notes, cautions", "ivigmeta's wording")
    return script.text()
