# Reference values for `avoid-survey sem` (analysis/stats/sem), from lavaan 0.6.
# Run from the repository root:  Rscript tests/reference/sem.R
# Writes tests/reference/sem_lavaan.json and tests/reference/data/poldem_mcar.csv.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

pd <- read.csv("tests/reference/data/poldem_bollen.csv")  # lavaan::PoliticalDemocracy
set.seed(20261202)
pdm <- pd
for (v in names(pdm)) pdm[runif(nrow(pdm)) < 0.08, v] <- NA   # 8% MCAR per variable
write.csv(pdm, "tests/reference/data/poldem_mcar.csv", row.names = FALSE, na = "")

FM <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
        "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl",
        "aic", "bic", "ntotal")
FM_ROBUST <- c("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
               "baseline.chisq.scaled", "baseline.df.scaled", "baseline.chisq.scaling.factor",
               "cfi.scaled", "tli.scaled", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
               "cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")

one <- function(fit, model, robust = FALSE) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  fm <- as.list(fitMeasures(fit, c(FM, if (robust) FM_ROBUST)))
  r2 <- lavInspect(fit, "r2"); if (is.list(r2)) r2 <- lapply(r2, as.list) else r2 <- as.list(r2)
  list(model = model, fit = fm, converged = lavInspect(fit, "converged"),
       params = pe[, intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                                 "ci.lower", "ci.upper"), names(pe))],
       std = ss[, intersect(c("lhs", "op", "rhs", "group", "est.std", "se"), names(ss))],
       r2 = r2)
}

res <- list(lavaan_version = as.character(packageVersion("lavaan")))

classic <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"
res$classic <- one(sem(classic, data = pd), classic)
mi <- modindices(sem(classic, data = pd), sort. = TRUE)
res$classic$mi <- mi[, c("lhs", "op", "rhs", "mi", "epc", "sepc.all")]

indirect <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
dem60 ~ a*ind60
dem65 ~ c*ind60 + b*dem60
y1 ~~ y5
y2 ~~ y4
ab := a*b
total := c + a*b
ratio := (a*b) / (c + a*b)"
res$indirect <- one(sem(indirect, data = pd), indirect)

# observed exogenous covariates (fixed.x) and an observed outcome; == constraint
observed <- "dem60 =~ y1 + y2 + y3 + y4
dem60 ~ p1*x1 + p2*x2
y5 ~ dem60 + x1
p1 == p2"
res$observed <- one(sem(observed, data = pd), observed)

res$classic_mlr <- one(sem(classic, data = pd, estimator = "MLR"), classic, robust = TRUE)
res$indirect_mlr <- one(sem(indirect, data = pd, estimator = "MLR"), indirect, robust = TRUE)
res$classic_fiml <- one(sem(classic, data = pdm, missing = "ml"), classic)
res$classic_fiml_mlr <- one(sem(classic, data = pdm, missing = "ml", estimator = "MLR"), classic, robust = TRUE)

# model comparison (nested: the equality labels dropped), as lavTestLRT
free <- gsub("[abc]\\*", "", classic)
lrt <- function(est) {
  f0 <- sem(classic, data = pd, estimator = est); f1 <- sem(free, data = pd, estimator = est)
  t <- lavTestLRT(f1, f0)
  list(model_free = free, chisq = t[["Chisq"]], df = t[["Df"]], delta_chisq = t[["Chisq diff"]][2],
       delta_df = t[["Df diff"]][2], p = t[["Pr(>Chisq)"]][2])
}
res$compare_ml <- lrt("ML")
res$compare_mlr <- lrt("MLR")
# path analysis on observed variables only (fixed.x covariates, an observed mediator)
path <- "y5 ~ a*x1 + b*x2
y6 ~ c*y5 + x1
ind := a*c"
res$path <- one(sem(path, data = pd), path)

# multi-group (HolzingerSwineford1939 by school): configural, equal loadings + intercepts +
# regressions, and the same with two rows left free (group.partial)
hs <- read.csv("tests/reference/data/hs_holzinger1939.csv")
hs_sem <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
speed ~ visual + textual"
res$mg_configural <- one(sem(hs_sem, data = hs, group = "school"), hs_sem)
res$mg_equal <- one(sem(hs_sem, data = hs, group = "school",
                        group.equal = c("loadings", "intercepts", "regressions")), hs_sem)
res$mg_partial <- one(sem(hs_sem, data = hs, group = "school",
                          group.equal = c("loadings", "intercepts", "regressions", "residuals"),
                          group.partial = c("x3 ~ 1", "visual =~ x2")), hs_sem)
res$mg_groups <- unique(as.character(hs$school))
mi_mg <- modindices(sem(hs_sem, data = hs, group = "school", group.equal = "loadings"), sort. = TRUE)
res$mg_equal_mi <- mi_mg[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.all")]
res$mg_mlr <- one(sem(hs_sem, data = hs, group = "school", estimator = "MLR", group.equal = "loadings"),
                  hs_sem, robust = TRUE)

write_json(res, "tests/reference/sem_lavaan.json", digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)

# score tests of the scalar model's intercept equalities (the partial-invariance search's first step)
hs_cfa <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
f_sc <- cfa(hs_cfa, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
pt <- parTable(f_sc)
sc <- lavTestScore(f_sc)$uni
lab <- function(l) { r <- pt[pt$plabel == l & pt$group == 1, ]; paste(r$lhs, r$op, r$rhs) }
res2 <- list()
res2$score_scalar <- lapply(seq_len(nrow(sc)), function(k) list(param = lab(sc$lhs[k]), X2 = sc$X2[k], df = sc$df[k]))
f_pi <- cfa(hs_cfa, data = hs, group = "school", group.equal = c("loadings", "intercepts"), group.partial = "x3 ~ 1")
res2$partial_x3 <- list(cfi = fitMeasures(f_pi, "cfi")[[1]], chisq = fitMeasures(f_pi, "chisq")[[1]])
write_json(res2, "tests/reference/sem_lavaan_score.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
