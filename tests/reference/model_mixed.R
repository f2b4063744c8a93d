# Reference values for analysis/models/mixed.py (fit_mixed) from lme4::lmer.
# Run from the repository root:  Rscript tests/reference/model_mixed.R
# Writes tests/reference/data/mixed_*.csv (the data used) and tests/reference/model_mixed.json.
suppressPackageStartupMessages({library(lme4); library(jsonlite)})
options(digits = 15)
dir <- "tests/reference"
ss <- lme4::sleepstudy
ss$Subject <- as.character(ss$Subject)
write.csv(ss, file.path(dir, "data/mixed_sleepstudy.csv"), row.names = FALSE)
pa <- lme4::Pastes
pa$batch <- as.character(pa$batch); pa$cask <- as.character(pa$cask)
write.csv(pa[, c("strength", "batch", "cask")], file.path(dir, "data/mixed_pastes.csv"), row.names = FALSE)
ck <- lme4::cake
ck <- data.frame(angle = ck$angle, temp = ck$temp, recipe = as.character(ck$recipe),
                 replicate = as.character(ck$replicate))
write.csv(ck, file.path(dir, "data/mixed_cake.csv"), row.names = FALSE)

# small variance ratios (ICC ~ .06 township, ~ .01 county) with a township-level predictor,
# simulated by tests/reference/model_mixed_sim.py (numpy, seeded): the optimum lies far below
# lme4's start theta = 1 (a gradient optimiser started there stops at the stationary point 0)
sim <- read.csv(file.path(dir, "data/mixed_sim_nested.csv"))

one <- function(id, m, ols) {
  vc <- as.data.frame(VarCorr(m))
  fe <- summary(m)$coefficients
  ml <- if (isREML(m)) refitML(m) else m
  out <- list(
    id = id, reml = isREML(m), n = nobs(m),
    terms = rownames(fe), estimate = unname(fe[, 1]), se = unname(fe[, 2]), t = unname(fe[, 3]),
    varcomp = lapply(seq_len(nrow(vc)), function(i) as.list(vc[i, ])),
    loglik = as.numeric(logLik(m)), aic = AIC(m), bic = BIC(m),
    reml_criterion = if (isREML(m)) REMLcrit(m) else NA,
    deviance = if (!isREML(m)) deviance(m) else NA,
    theta = unname(getME(m, "theta")),
    ngrps = as.list(ngrps(m)),
    wald_ci = unname(confint(m, method = "Wald", parm = "beta_")),
    loglik_ml = as.numeric(logLik(ml)), loglik_ols = as.numeric(logLik(ols)),
    lrt_chisq = 2 * (as.numeric(logLik(ml)) - as.numeric(logLik(ols)))
  )
  out
}
# tight optimiser tolerances: the reference is the optimum itself, not lme4's default stopping point
# (with the defaults, sleepstudy's ML random-slope variances stop ~1e-4 relative short of it)
ctl <- lmerControl(optimizer = "nloptwrap", optCtrl = list(ftol_abs = 1e-14, ftol_rel = 1e-14, xtol_abs = 1e-12, xtol_rel = 1e-12, maxeval = 1e5))
res <- list(
  one("sleep_ri_reml", lmer(Reaction ~ Days + (1 | Subject), ss, control = ctl), lm(Reaction ~ Days, ss)),
  one("sleep_ri_ml", lmer(Reaction ~ Days + (1 | Subject), ss, REML = FALSE, control = ctl), lm(Reaction ~ Days, ss)),
  one("sleep_rs_reml", lmer(Reaction ~ Days + (Days | Subject), ss, control = ctl), lm(Reaction ~ Days, ss)),
  one("sleep_rs_ml", lmer(Reaction ~ Days + (Days | Subject), ss, REML = FALSE, control = ctl), lm(Reaction ~ Days, ss)),
  one("pastes_reml", lmer(strength ~ 1 + (1 | batch/cask), pa, control = ctl), lm(strength ~ 1, pa)),
  one("pastes_ml", lmer(strength ~ 1 + (1 | batch/cask), pa, REML = FALSE, control = ctl), lm(strength ~ 1, pa)),
  one("cake_reml", lmer(angle ~ temp + (1 | replicate/recipe), ck, control = ctl), lm(angle ~ temp, ck)),
  one("cake_ml", lmer(angle ~ temp + (1 | replicate/recipe), ck, REML = FALSE, control = ctl), lm(angle ~ temp, ck)),
  one("sim_reml", lmer(y ~ x + z + (1 | county_id/township_id), sim, control = ctl), lm(y ~ x + z, sim)),
  one("sim_ml", lmer(y ~ x + z + (1 | county_id/township_id), sim, REML = FALSE, control = ctl), lm(y ~ x + z, sim)),
  # random slope of x at the township level with a county random intercept (singular: slope SD 0)
  one("simrs_reml", lmer(y ~ x + z + (1 + x | county_id:township_id) + (1 | county_id), sim, control = ctl),
      lm(y ~ x + z, sim))
)
# likelihood-ratio test per level (ML fits, anova): drop the county level / drop the township level
f_full <- lmer(y ~ x + z + (1 | county_id/township_id), sim, REML = FALSE, control = ctl)
f_noc <- lmer(y ~ x + z + (1 | county_id:township_id), sim, REML = FALSE, control = ctl)
f_not <- lmer(y ~ x + z + (1 | county_id), sim, REML = FALSE, control = ctl)
res[[length(res) + 1]] <- list(id = "sim_lrt_levels",
  county_id = anova(f_full, f_noc)$Chisq[2], township_id = anova(f_full, f_not)$Chisq[2])
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(dir, "model_mixed.json"))
cat("wrote", file.path(dir, "model_mixed.json"), "\n")
