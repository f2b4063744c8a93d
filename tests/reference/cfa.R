# Reference values for `avoid-survey cfa` (analysis/cfa), from lavaan 0.6 + semTools.
# Run from the repository root:  Rscript tests/reference/cfa.R
# Writes tests/reference/cfa_lavaan.json and exports the data to tests/reference/data/.
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite); library(psych)})

dir.create("tests/reference/data", showWarnings = FALSE, recursive = TRUE)
hs <- lavaan::HolzingerSwineford1939
write.csv(hs[, c("id", "sex", "ageyr", "school", "grade", paste0("x", 1:9))],
          "tests/reference/data/hs_holzinger1939.csv", row.names = FALSE)
pd <- lavaan::PoliticalDemocracy
write.csv(pd, "tests/reference/data/poldem_bollen.csv", row.names = FALSE)
bfi <- psych::bfi[, 1:25]
write.csv(bfi, "tests/reference/data/bfi_items.csv", row.names = FALSE, na = "")

FM <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
        "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "logl", "unrestricted.logl",
        "aic", "bic", "ntotal")

one <- function(fit, model, data = NULL, htmt_ok = TRUE) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  ss <- standardizedSolution(fit)
  fm <- as.list(fitMeasures(fit, FM))
  res <- lavResiduals(fit, type = "raw")
  out <- list(model = model, fit = fm,
              converged = lavInspect(fit, "converged"),
              params = pe[, intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                                        "std.lv", "std.all"), names(pe))],
              std_se = ss[, c("lhs", "op", "rhs", "est.std", "se")])
  r <- resid(fit, type = "raw")
  if (!is.null(r$cov)) out$resid_cov <- unclass(r$cov)
  # Fornell-Larcker composite reliability and AVE from the standardized loadings
  L <- pe[pe$op == "=~", ]
  obs <- lavNames(fit, "ov")
  L1 <- L[L$rhs %in% obs, ]
  cr <- list(); ave <- list()
  for (f in unique(L1$lhs)) {
    l <- abs(L1$std.all[L1$lhs == f])  # reverse-keyed items count as recoded
    cr[[f]] <- sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
    ave[[f]] <- mean(l^2)
  }
  out$cr <- cr; out$ave <- ave
  a <- try(semTools::AVE(fit, obs.var = FALSE), silent = TRUE)
  if (!inherits(a, "try-error")) out$semtools_ave_implied <- as.list(a)
  if (htmt_ok && !is.null(data)) {
    out$htmt <- unclass(semTools::htmt(model, data, htmt2 = FALSE))
    out$htmt2 <- unclass(semTools::htmt(model, data, htmt2 = TRUE))
  }
  out
}

res <- list(lavaan_version = as.character(packageVersion("lavaan")),
            semtools_version = as.character(packageVersion("semTools")))

hs_model <- "visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"
res$hs3 <- one(cfa(hs_model, data = hs), hs_model, hs[, paste0("x", 1:9)])
res$hs3_stdlv <- one(cfa(hs_model, data = hs, std.lv = TRUE), hs_model, NULL)

hs_orth <- "visual =~ NA*x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
visual ~~ 1*visual
visual ~~ 0*textual"
res$hs_orth <- one(cfa(hs_orth, data = hs), hs_orth, NULL)

hs_2nd <- paste(hs_model, "g =~ visual + textual + speed", sep = "\n")
res$hs_2nd <- one(cfa(hs_2nd, data = hs), hs_2nd, NULL)

# 4 first-order factors are needed for a testable second-order model: bfi, below.
pd_model <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"
res$poldem <- one(cfa(pd_model, data = pd), pd_model, NULL)

bfi_model <- "A =~ A1 + A2 + A3 + A4 + A5
C =~ C1 + C2 + C3 + C4 + C5
E =~ E1 + E2 + E3 + E4 + E5
N =~ N1 + N2 + N3 + N4 + N5
O =~ O1 + O2 + O3 + O4 + O5"
res$bfi5 <- one(cfa(bfi_model, data = bfi), bfi_model, bfi)
# full-information ML on bfi's real missing values (lavaan missing = "ml")
fiml <- cfa(bfi_model, data = bfi, missing = "ml")
res$bfi5_fiml <- one(fiml, bfi_model, NULL, htmt_ok = FALSE)
res$bfi5_fiml$information <- lavInspect(fiml, "options")$information
res$bfi5_fiml$h1 <- list(cov = unclass(lavInspect(fiml, "sampstat.h1")$cov), mean = unclass(lavInspect(fiml, "sampstat.h1")$mean))
hs_miss <- hs
set.seed(20261123)
for (v in paste0("x", 1:9)) hs_miss[[v]][sample(nrow(hs), 30)] <- NA
write.csv(hs_miss[, c("id", "school", paste0("x", 1:9))], "tests/reference/data/hs_holzinger1939_mcar.csv",
          row.names = FALSE, na = "")
res$hs3_fiml <- one(cfa(hs_model, data = hs_miss, missing = "ml"), hs_model, NULL, htmt_ok = FALSE)
conf_f <- cfa(hs_model, data = hs_miss, group = "school", missing = "ml")
scal_f <- cfa(hs_model, data = hs_miss, group = "school", missing = "ml", group.equal = c("loadings", "intercepts"))
res$hs3_fiml_groups <- list(configural = as.list(fitMeasures(conf_f, FM)), scalar = as.list(fitMeasures(scal_f, FM)))
bfi_2nd <- paste(bfi_model, "g =~ A + C + E + N + O", sep = "\n")
res$bfi_2nd <- one(cfa(bfi_2nd, data = bfi), bfi_2nd, NULL)

# more shapes: a cross-loading with a residual covariance, fixed values, std.lv over a second order,
# and three two-indicator factors (an improper, badly scaled but identified solution)
cross <- "E =~ E1 + E2 + E3 + E4 + E5 + A5
A =~ A1 + A2 + A3 + A4 + A5
A1 ~~ A2"
res$bfi_cross <- one(cfa(cross, data = bfi), cross, NULL, htmt_ok = FALSE)
fixed <- "visual =~ x1 + 0.5*x2 + x3
textual =~ x4 + x5 + x6 + x9
speed =~ x7 + x8 + x9
x1 ~~ 0.5*x1"
res$hs_fixed <- one(cfa(fixed, data = hs), fixed, NULL, htmt_ok = FALSE)
res$hs_2nd_stdlv <- one(cfa(hs_2nd, data = hs, std.lv = TRUE), hs_2nd, NULL, htmt_ok = FALSE)
two <- "F1 =~ x1 + x2
F2 =~ x4 + x5
F3 =~ x7 + x8"
res$hs_two <- one(suppressWarnings(cfa(two, data = hs)), two, NULL, htmt_ok = FALSE)

# measurement invariance across school (Pasteur / Grant-White)
conf <- cfa(hs_model, data = hs, group = "school")
metr <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings"))
scal <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
lrt <- lavTestLRT(conf, metr, scal)
inv <- list()
for (nm in c("configural", "metric", "scalar")) {
  f <- list(configural = conf, metric = metr, scalar = scal)[[nm]]
  inv[[nm]] <- list(fit = as.list(fitMeasures(f, FM)),
                    params = parameterEstimates(f, standardized = TRUE)[, c("lhs", "op", "rhs", "group", "est", "se", "std.all")],
                    group_labels = lavInspect(f, "group.label"))
}
# std.lv identification: lavaan frees the factor variances of later groups once loadings are equal
metr_sl <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings"), std.lv = TRUE)
scal_sl <- cfa(hs_model, data = hs, group = "school", group.equal = c("loadings", "intercepts"), std.lv = TRUE)
inv$metric_stdlv <- list(fit = as.list(fitMeasures(metr_sl, FM)),
                         params = parameterEstimates(metr_sl)[, c("lhs", "op", "rhs", "group", "est", "se")])
inv$scalar_stdlv <- list(fit = as.list(fitMeasures(scal_sl, FM)),
                         params = parameterEstimates(scal_sl)[, c("lhs", "op", "rhs", "group", "est", "se")])
inv$lrt <- list(chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]], p = lrt[["Pr(>Chisq)"]])
res$invariance_school <- inv

writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/reference/cfa_lavaan.json")
cat("wrote tests/reference/cfa_lavaan.json\n")
