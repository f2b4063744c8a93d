# Reference values for tests/test_sem_fixedx.py (lavaan 0.6-14): FIML (missing = "ml") with
# observed exogenous covariates (fixed.x = TRUE, lavaan's default). Run from the repository root:
#   Rscript tests/reference/sem_fixedx.R   # -> data/sem_fixedx.csv and sem_fixedx.json
# lavaan first deletes the rows with a missing covariate (with a warning), fixes the covariates'
# means, variances and covariances at their sample values (no free parameters, no moments in df)
# and reports the log-likelihood of the rest given the covariates.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
set.seed(20261203)
n <- 300
d <- data.frame(x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n))
d$y1 <- 0.4 * d$x1 + 0.3 * d$x2 + rnorm(n)
d$y2 <- 0.5 * d$y1 + 0.2 * d$x1 + 0.3 * d$x2 + 0.2 * d$x3 + rnorm(n)
d$y3 <- 0.3 * d$y2 + 0.3 * d$x2 + 0.3 * d$y1 + rnorm(n)
for (v in names(d)) d[[v]][sample(n, round(0.07 * n))] <- NA   # ~7% missing in every column
d <- round(d, 6)
d$g <- rep(c("a", "b"), each = n / 2)
write.csv(d, "tests/reference/data/sem_fixedx.csv", row.names = FALSE, na = "")
d <- read.csv("tests/reference/data/sem_fixedx.csv")
FM <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
        "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl", "aic", "bic")
ROB <- c("chisq.scaled", "chisq.scaling.factor", "baseline.chisq.scaled", "cfi.scaled", "tli.scaled",
         "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust")
params <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i], est = pe$est[i],
         group = if (is.null(pe$group)) 1L else pe$group[i],
         se = pe$se[i], std_all = pe$std.all[i]))
}
models <- list(
  saturated = "y1 ~ x1 + x2\ny2 ~ y1 + x1 + x2",
  over = "y1 ~ x1 + x2\ny2 ~ y1 + x1",
  chain = "y1 ~ x1 + x2\ny2 ~ y1 + x1 + x3\ny3 ~ y2 + x2")
res <- list(lavaan_version = as.character(packageVersion("lavaan")))
for (nm in names(models)) {
  for (est in c("ML", "MLR")) {
    for (miss in c("ml", "listwise")) {
      warn <- character(0)
      f <- withCallingHandlers(sem(models[[nm]], d, missing = miss, estimator = est),
                               warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
      fm <- fitMeasures(f)
      keep <- c(FM, if (est == "MLR" || miss == "ml") intersect(ROB, names(fm)))
      res[[paste(nm, est, miss, sep = "_")]] <- list(model = models[[nm]], estimator = est, missing = miss,
        n = nobs(f), warned = length(grep("exogenous", warn)) > 0, fit = as.list(fm[keep]), params = params(f))
    }
  }
}
# two groups, regressions equal: the intercepts are given the covariates (not the marginal means)
for (miss in c("ml", "listwise")) {
  f <- suppressWarnings(sem(models$over, d, group = "g", group.equal = "regressions", missing = miss))
  res[[paste("mg_over_ML", miss, sep = "_")]] <- list(model = models$over, estimator = "ML", missing = miss,
    group = "g", group_equal = "regressions", n = nobs(f), fit = as.list(fitMeasures(f, FM)), params = params(f))
}
# complete data, MLR, observed covariates (PoliticalDemocracy, the 'observed' and 'path' models of sem.R)
pd <- read.csv("tests/reference/data/poldem_bollen.csv")
for (nm in c("observed", "path")) {
  m <- list(observed = "dem60 =~ y1 + y2 + y3 + y4\ndem60 ~ p1*x1 + p2*x2\ny5 ~ dem60 + x1\np1 == p2",
            path = "y5 ~ a*x1 + b*x2\ny6 ~ c*y5 + x1\nind := a*c")[[nm]]
  f <- sem(m, pd, estimator = "MLR")
  res[[paste0("poldem_", nm, "_MLR_listwise")]] <- list(model = m, estimator = "MLR", missing = "listwise",
    data = "poldem_bollen.csv", n = nobs(f), fit = as.list(fitMeasures(f, c(FM, ROB))), params = params(f))
}
# missing = "ml.x" keeps the rows with a missing covariate (for the record; not offered)
f <- sem(models$over, d, missing = "ml.x")
res$over_ML_mlx <- list(model = models$over, n = nobs(f), fit = as.list(fitMeasures(f, FM)))
write_json(res, "tests/reference/sem_fixedx.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
