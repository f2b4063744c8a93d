# Reference values for WLSMV (`cfa`/`sem --estimator wlsmv --ordered ...`), from lavaan 0.6-14
# (estimator = "WLSMV": DWLS estimates, robust SEs, scaled-shifted test) and semTools
# measEq.syntax(ID.cat = "Wu.Estabrook.2016") for ordinal invariance.
# Run from the repository root:  Rscript tests/reference/wlsmv.R
# Writes tests/reference/data/wlsmv_cfa.csv, wlsmv_groups.csv and tests/reference/wlsmv.json.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})

# --- data: skewed 5-point answers, 4 factors x 6 items, N = 1000 -------------------------
set.seed(20261203)
n <- 1000
Phi <- matrix(c(1, .4, .3, .2,  .4, 1, .5, .3,  .3, .5, 1, .4,  .2, .3, .4, 1), 4)
eta <- matrix(rnorm(n * 4), n) %*% chol(Phi)
lam <- c(.8, .75, .7, .65, .6, .55)
cuts <- list(c(-.3, .4, 1.0, 1.6), c(0, .6, 1.2, 1.9), c(-.6, .2, .9, 1.5))
d <- list()
for (f in 1:4) for (k in 1:6) {
  ystar <- lam[k] * eta[, f] + rnorm(n, sd = sqrt(1 - lam[k]^2))
  d[[paste0("f", f, "_", k)]] <- findInterval(ystar, cuts[[(f + k) %% 3 + 1]]) + 1L
}
d <- as.data.frame(d)
write.csv(d, "tests/reference/data/wlsmv_cfa.csv", row.names = FALSE)
items <- names(d)

cfa_model <- paste0("F", 1:4, " =~ ", sapply(1:4, function(f) paste0("f", f, "_", 1:6, collapse = " + ")),
                    collapse = "\n")
sem_model <- paste0(cfa_model, "\nF2 ~ F1\nF3 ~ F1 + F2\nF4 ~ F3")

FM <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
        "chisq.scaling.factor", "chisq.shift.parameter", "baseline.chisq", "baseline.df",
        "baseline.chisq.scaled", "baseline.df.scaled", "cfi", "tli", "rmsea", "cfi.scaled",
        "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust", "srmr",
        "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
        "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "ntotal")

one <- function(fit, model) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  r2 <- lavInspect(fit, "r2"); if (is.list(r2)) r2 <- lapply(r2, as.list) else r2 <- as.list(r2)
  list(model = model, fit = as.list(fitMeasures(fit, FM)),
       params = pe[, intersect(c("lhs", "op", "rhs", "group", "est", "se"), names(pe))],
       std = ss[, intersect(c("lhs", "op", "rhs", "group", "est.std", "se"), names(ss))],
       r2 = r2)
}

out <- list()
fit <- cfa(cfa_model, d, ordered = items, estimator = "WLSMV")
out$cfa <- one(fit, cfa_model)
th <- lavInspect(fit, "sampstat")$th
out$cfa$sample_th <- as.numeric(th)
out$cfa$sample_cor <- lavInspect(fit, "sampstat")$cov[lower.tri(diag(24))]
out$cfa$gamma_diag <- diag(lavInspect(fit, "gamma"))
fit <- cfa(cfa_model, d, ordered = items, estimator = "WLSMV", parameterization = "theta")
out$cfa_theta <- one(fit, cfa_model)
fit <- sem(sem_model, d, ordered = items, estimator = "WLSMV")
out$sem <- one(fit, sem_model)
# labels, a defined (indirect) effect and a residual covariance between two ordered items
defined_model <- paste0(cfa_model, "\nf1_1 ~~ f1_2\nF2 ~ a*F1\nF3 ~ b*F2 + F1\nF4 ~ F3\nind := a*b")
fit <- sem(defined_model, d, ordered = items, estimator = "WLSMV")
out$sem_defined <- one(fit, defined_model)
# an ordered outcome regressed on latent variables (delta and theta parameterizations)
outcome_model <- "F1 =~ f1_1 + f1_2 + f1_3 + f1_4\nF2 =~ f2_1 + f2_2 + f2_3 + f2_4\nf4_1 ~ F1 + F2"
fit <- sem(outcome_model, d, ordered = items, estimator = "WLSMV")
out$sem_outcome <- one(fit, outcome_model)
fit <- sem(outcome_model, d, ordered = items, estimator = "WLSMV", parameterization = "theta")
out$sem_outcome_theta <- one(fit, outcome_model)
# a misspecified model (F1 and F2 merged): CFI < 1, RMSEA > 0
misfit_model <- paste0("F12 =~ ", paste0(items[1:12], collapse = " + "), "\nF3 =~ ",
                       paste0(items[13:18], collapse = " + "), "\nF4 =~ ", paste0(items[19:24], collapse = " + "))
fit <- cfa(misfit_model, d, ordered = items, estimator = "WLSMV")
out$misfit <- one(fit, misfit_model)
# std.lv with theta parameterization
fit <- cfa(misfit_model, d, ordered = items, estimator = "WLSMV", std.lv = TRUE, parameterization = "theta")
out$misfit_theta <- one(fit, misfit_model)
# pairwise deletion: about 5% of the answers missing completely at random
dm <- d
for (v in items[1:12]) dm[runif(n) < 0.05, v] <- NA
write.csv(dm, "tests/reference/data/wlsmv_missing.csv", row.names = FALSE, na = "")
pw_model <- "F1 =~ f1_1 + f1_2 + f1_3 + f1_4 + f1_5 + f1_6\nF2 =~ f2_1 + f2_2 + f2_3 + f2_4 + f2_5 + f2_6"
fit <- cfa(pw_model, dm, ordered = items[1:12], estimator = "WLSMV", missing = "pairwise")
out$pairwise <- one(fit, pw_model)
fit <- cfa(pw_model, dm, ordered = items[1:12], estimator = "WLSMV")
out$listwise <- one(fit, pw_model)
# ordered = some columns: the others are continuous (polyserial and Pearson entries)
fit <- cfa("F1 =~ f1_1 + f1_2 + f1_3 + f1_4\nF2 =~ f2_1 + f2_2 + f2_3 + f2_4", d,
           ordered = c("f1_1", "f1_2", "f1_3", "f1_4", "f2_1", "f2_2"), estimator = "WLSMV")
out$mixed <- one(fit, "F1 =~ f1_1 + f1_2 + f1_3 + f1_4\nF2 =~ f2_1 + f2_2 + f2_3 + f2_4")

# --- observed covariates (lavaan's conditional.x): 6 items, an age-like and a 0/1 covariate ------
set.seed(20261205)
n <- 800
x1 <- rnorm(n, 40, 8); x2 <- rbinom(n, 1, .4)
F1 <- 0.03 * (x1 - 40) + 0.4 * x2 + rnorm(n); F2 <- 0.5 * F1 + rnorm(n, sd = .8)
mk1 <- function(f, l, cut) findInterval(l * f + rnorm(n, sd = sqrt(1 - l^2)), cut) + 1L
dc <- data.frame(a1 = mk1(F1, .8, c(-.5, .3, 1)), a2 = mk1(F1, .7, c(-.2, .5, 1.2)), a3 = mk1(F1, .6, c(-.8, 0, .9)),
                 b1 = mk1(F2, .8, c(-.5, .3, 1)), b2 = mk1(F2, .7, c(-.2, .5, 1.2)), b3 = mk1(F2, .6, c(-.8, 0, .9)),
                 x1 = round(x1, 1), x2 = x2)
write.csv(dc, "tests/reference/data/wlsmv_covariates.csv", row.names = FALSE)
cov_model <- "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nA ~ x1 + x2\nB ~ A"
fit <- sem(cov_model, dc, ordered = c("a1", "a2", "a3", "b1", "b2", "b3"), estimator = "WLSMV")
out$covariates <- one(fit, cov_model)
fit <- sem(cov_model, dc, ordered = c("a1", "a2", "a3", "b1", "b2", "b3"), estimator = "WLSMV",
           parameterization = "theta")
out$covariates_theta <- one(fit, cov_model)

# --- two groups, 2 factors x 5 items, N = 600 + 500: thresholds shifted in group 2 ----------
set.seed(20261204)
mk <- function(n, shift, lam2) {
  eta <- matrix(rnorm(n * 2), n) %*% chol(matrix(c(1, .45, .45, 1), 2))
  cut <- c(-.4, .3, .9, 1.6)
  x <- list()
  for (f in 1:2) for (k in 1:5) {
    l <- if (f == 2 && k == 5) lam2 else c(.8, .7, .65, .6, .55)[k]
    ystar <- l * eta[, f] + rnorm(n, sd = sqrt(1 - l^2)) + shift * (k == 3)
    x[[paste0(c("a", "b")[f], k)]] <- findInterval(ystar, cut) + 1L
  }
  as.data.frame(x)
}
g <- rbind(cbind(mk(600, 0, .55), grp = "urban"), cbind(mk(500, .35, .3), grp = "rural"))
write.csv(g, "tests/reference/data/wlsmv_groups.csv", row.names = FALSE)
gitems <- setdiff(names(g), "grp")
inv_model <- "A =~ a1 + a2 + a3 + a4 + a5\nB =~ b1 + b2 + b3 + b4 + b5"
levels <- list(configural = "configural", thresholds = "thresholds",
               metric = c("thresholds", "loadings"), scalar = c("thresholds", "loadings", "intercepts"))
fits <- list()
for (lv in names(levels)) {
  fits[[lv]] <- measEq.syntax(inv_model, data = g, ordered = gitems, parameterization = "delta",
                              ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "grp",
                              group.equal = levels[[lv]], return.fit = TRUE, estimator = "WLSMV")
  out$invariance[[lv]] <- list(fit = as.list(fitMeasures(fits[[lv]], FM)))
}
lrt <- lavTestLRT(fits$configural, fits$thresholds, fits$metric, fits$scalar)
out$invariance_lrt <- list(chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                           p = lrt[["Pr(>Chisq)"]])
out$invariance_configural <- one(fits$configural, inv_model)
# the same levels in the theta parameterization
tfits <- list()
for (lv in names(levels)) {
  tfits[[lv]] <- measEq.syntax(inv_model, data = g, ordered = gitems, parameterization = "theta",
                               ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group = "grp",
                               group.equal = levels[[lv]], return.fit = TRUE, estimator = "WLSMV")
  out$invariance_theta[[lv]] <- list(fit = as.list(fitMeasures(tfits[[lv]], FM)))
}
lrt <- lavTestLRT(tfits$configural, tfits$thresholds, tfits$metric, tfits$scalar)
out$invariance_theta_lrt <- list(chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                                 p = lrt[["Pr(>Chisq)"]])
out$invariance_scalar <- one(fits$scalar, inv_model)
# plain multi-group WLSMV with lavaan's own defaults
fit <- cfa(inv_model, g, ordered = gitems, estimator = "WLSMV", group = "grp")
out$groups <- one(fit, inv_model)
fit <- cfa(inv_model, g, ordered = gitems, estimator = "WLSMV", group = "grp", group.equal = "loadings")
out$groups_loadings <- one(fit, inv_model)
fit <- cfa(inv_model, g, ordered = gitems, estimator = "WLSMV", group = "grp",
           group.equal = c("loadings", "thresholds"), parameterization = "theta")
out$groups_theta <- one(fit, inv_model)
fit <- cfa(inv_model, g, ordered = c("a1", "a2", "a3", "b1", "b2"), estimator = "WLSMV", group = "grp",
           group.equal = "loadings")
out$groups_mixed <- one(fit, inv_model)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           "tests/reference/wlsmv.json")
