# Reference values for tests/test_sem_engine.py (lavaan 0.6-14). Run from the repository root:
#   python tests/reference/sem_engine_data.py   # writes the two data files (deterministic)
#   Rscript tests/reference/sem_engine.R         # -> tests/reference/sem_engine.json
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
FM <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
ROB <- c("chisq.scaled", "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
         "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
         "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")
params <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i],
         group = if (is.null(pe$group)) 1L else pe$group[i], est = pe$est[i], se = pe$se[i], std_all = pe$std.all[i]))
}
res <- list(lavaan_version = as.character(packageVersion("lavaan")))

# 1. ULMC (unmeasured latent method construct) on simulated data with a method factor
#    (three traits x four items, cmv_sim_instrument.yaml; with three items per trait lavaan does not converge)
sim <- read.csv("tests/reference/data/cmv_sim.csv")
items <- c(paste0("a", 1:4), paste0("b", 1:4), paste0("c", 1:4))
meas <- "trait_a =~ a1 + a2 + a3 + a4\ntrait_b =~ b1 + b2 + b3 + b4\ntrait_c =~ c1 + c2 + c3 + c4"
ulmc <- paste(meas, paste("cmv_method =~", paste(c("NA*a1", items[-1]), collapse = " + ")),
              "cmv_method ~~ 1*cmv_method", "cmv_method ~~ 0*trait_a", "cmv_method ~~ 0*trait_b",
              "cmv_method ~~ 0*trait_c", sep = "\n")
f_meas <- sem(meas, data = sim)
f_ulmc <- sem(ulmc, data = sim)
ss <- standardizedSolution(f_ulmc)
mload <- ss$est.std[ss$op == "=~" & ss$lhs == "cmv_method"]
tload <- ss$est.std[ss$op == "=~" & ss$lhs != "cmv_method"]
ev <- eigen(cor(sim[, items]))$values
f_single <- sem(paste("cmv_single =~", paste(items, collapse = " + ")), data = sim)
l1 <- standardizedSolution(f_single); l1 <- l1$est.std[l1$op == "=~"]
res$cmv_sim <- list(measurement = as.list(fitMeasures(f_meas, FM)), ulmc = as.list(fitMeasures(f_ulmc, FM)),
                    single = as.list(fitMeasures(f_single, FM)),
                    method_loadings = setNames(as.list(mload), items), method_variance_share = mean(mload^2),
                    trait_variance_share = mean(tload^2), first_component_share = ev[1] / length(ev),
                    n_eigen_gt1 = sum(ev > 1), first_factor_share = mean(l1^2))
# the marker correction by hand: scale means, r_M the smallest positive marker correlation
sc <- sapply(list(trait_a = 1:4, trait_b = 5:8, trait_c = 9:12), function(k) rowMeans(sim[, items[k]]))
rm_all <- cor(sim$marker, sc)[1, ]
r_m <- min(rm_all[rm_all > 0])
pairs <- list()
for (ab in list(c("trait_a", "trait_b"), c("trait_a", "trait_c"), c("trait_b", "trait_c"))) {
  r <- cor(sc[, ab[1]], sc[, ab[2]]); rc <- (r - r_m) / (1 - r_m)
  t <- rc / sqrt((1 - rc^2) / (nrow(sim) - 3))
  pairs[[length(pairs) + 1]] <- list(a = ab[1], b = ab[2], r = r, r_corrected = rc, t = t,
                                     p = 2 * pt(-abs(t), nrow(sim) - 3))
}
res$cmv_sim$marker <- list(r_m = r_m, marker_correlations = as.list(rm_all), pairs = pairs)

# 2. multi-group FIML with MLR (FIML-corrected robust indices), equal loadings
hsm <- read.csv("tests/reference/data/hs_mcar_school.csv")
hs3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual"
f <- sem(hs3, data = hsm, group = "school", group.equal = "loadings", missing = "ml", estimator = "MLR")
res$mg_fiml_mlr <- list(model = hs3, fit = as.list(fitMeasures(f, c(FM, ROB))), params = params(f))
f1 <- sem(hs3, data = hsm, missing = "ml", estimator = "MLR")
res$fiml_mlr <- list(model = hs3, fit = as.list(fitMeasures(f1, c(FM, ROB))), params = params(f1))

f2 <- sem(hs3, data = hsm, missing = "ml")
res$fiml_ml <- list(model = hs3, fit = as.list(fitMeasures(f2, c(FM, "cfi.robust", "tli.robust", "rmsea.robust",
                    "rmsea.ci.lower.robust", "rmsea.ci.upper.robust"))), params = params(f2))

write_json(res, "tests/reference/sem_engine.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
