# Reference values for avoid-survey `experiment` (vignette and conjoint survey experiments).
# Run from the project root:  Rscript tests/reference/experiment.R
# Reads the simulated data written by tests/reference/experiment_data.py (fixed seeds) and
# writes tests/reference/experiment.json.
#   vignette effects: lm + sandwich::vcovHC(type = "HC2"), or vcovCL(type = "HC1") when
#     respondents answered several vignettes (or --cluster); Lin (2013): lm on treatment
#     dummies interacted with centred covariates; Wald F: car::linearHypothesis(vcov = V).
#   within-respondent: also lme4::lmer(y ~ factors + (1 | respondent)), REML, Wald z.
#   conjoint: AMCE = lm on dummies + vcovCL(cluster = ~respondent, type = "HC1"); marginal
#     means = lm(y ~ 0 + level) per attribute + the same vcovCL (cregg::mm gives the same
#     means; its survey-package SEs lack the (N-1)/(N-K) factor); nested F as cregg::cj_anova:
#     anova(lm(y ~ attrs), lm(y ~ (attrs) * by)), classical residual variance.
# p values and CIs: t with the residual df (lmtest::coeftest's default).
suppressPackageStartupMessages({library(sandwich); library(car); library(jsonlite)})
dd <- "tests/reference/data"
out <- list()

co <- function(fit, V, terms = NULL, h0 = 0) {
  b <- coef(fit); se <- sqrt(diag(V)); df <- fit$df.residual
  if (is.null(terms)) terms <- names(b)
  b <- b[terms]; se <- se[terms]
  t <- (b - h0) / se; q <- qt(0.975, df)
  list(terms = terms, estimate = unname(b), se = unname(se), p = unname(2 * pt(-abs(t), df)),
       ci_lower = unname(b - q * se), ci_upper = unname(b + q * se))
}
wald <- function(fit, V, terms) {
  h <- linearHypothesis(fit, terms, vcov. = V, test = "F")
  list(statistic = h$F[2], df1 = h$Df[2], df2 = h$Res.Df[2], p = h[["Pr(>F)"]][2])
}
nested <- function(r, f) {
  a <- anova(r, f)
  list(statistic = a$F[2], df1 = a$Df[2], df2 = a$Res.Df[2], p = a[["Pr(>F)"]][2])
}
fac <- function(d) {
  d$ft_list <- factor(d$ft_list, levels = c("none", "published"))
  d$severity <- factor(d$severity, levels = c("mild", "severe"))
  d$task <- factor(d$task, levels = c("routine", "innovative"))
  d
}
terms_of <- function(fit, pattern) grep(pattern, names(coef(fit)), value = TRUE)
main_terms <- c("ft_listpublished", "severitysevere", "taskinnovative")

## ---- between-respondent vignette: one vignette each, HC2
b <- fac(read.csv(file.path(dd, "experiment_between.csv")))
bo <- b[!is.na(b$innovate), ]
m <- lm(innovate ~ ft_list + severity + task, data = bo)
V <- vcovHC(m, type = "HC2")
out$between_main <- co(m, V, main_terms)
out$between_main$wald <- lapply(main_terms, function(t) wald(m, V, t))
Vu <- vcovCL(m, cluster = ~unit, type = "HC1")
out$between_unit <- co(m, Vu, main_terms)
# Lin (2013): covariates centred over the analysed rows
cv <- c("age", "female", "tenure")
for (v in cv) bo[[paste0(v, "_c")]] <- bo[[v]] - mean(bo[[v]])
ml <- lm(innovate ~ (ft_list + severity + task) * (age_c + female_c + tenure_c), data = bo)
out$between_lin <- co(ml, vcovHC(ml, type = "HC2"), main_terms)
mi <- lm(innovate ~ (ft_list + severity + task)^2, data = bo)
Vi <- vcovHC(mi, type = "HC2")
it <- terms_of(mi, ":")
out$between_inter <- co(mi, Vi, it)
out$between_inter$wald <- wald(mi, Vi, it)
mm <- lm(innovate ~ (ft_list + severity + task) * female, data = bo)
Vm <- vcovHC(mm, type = "HC2")
mt <- terms_of(mm, ":")
out$between_mod <- co(mm, Vm, mt)
out$between_mod$wald <- wald(mm, Vm, mt)
# balance: every assigned row, means by arm, standardized differences, omnibus F
bal <- list()
for (f in c("ft_list", "severity", "task")) {
  lv <- levels(b[[f]])
  for (v in cv) {
    x0 <- b[[v]][b[[f]] == lv[1]]; x1 <- b[[v]][b[[f]] == lv[2]]
    bal[[length(bal) + 1]] <- list(variable = v, factor = f, arm = lv[2], mean = mean(x1), mean_baseline = mean(x0),
                                   std_diff = (mean(x1) - mean(x0)) / sqrt((var(x1) + var(x0)) / 2))
  }
  fs <- summary(lm(I(as.numeric(b[[f]] == lv[2])) ~ age + female + tenure, data = b))$fstatistic
  bal[[length(bal) + 1]] <- list(variable = "omnibus", factor = f, arm = lv[2], statistic = unname(fs[1]),
                                 df1 = unname(fs[2]), df2 = unname(fs[3]),
                                 p = unname(pf(fs[1], fs[2], fs[3], lower.tail = FALSE)))
}
out$between_balance <- bal

## ---- within-respondent vignette: 4 vignettes each, CR1 by respondent
w <- fac(read.csv(file.path(dd, "experiment_within.csv")))
m <- lm(innovate ~ ft_list + severity + task, data = w)
out$within_main <- co(m, vcovCL(m, cluster = ~respondent, type = "HC1"), main_terms)
for (v in cv) w[[paste0(v, "_c")]] <- w[[v]] - mean(w[[v]])
ml <- lm(innovate ~ (ft_list + severity + task) * (age_c + female_c + tenure_c), data = w)
out$within_lin <- co(ml, vcovCL(ml, cluster = ~respondent, type = "HC1"), main_terms)

# random intercept per respondent (REML); SEs from vcov, Wald normal p and CI
suppressPackageStartupMessages(library(lme4))
mr <- lmer(innovate ~ ft_list + severity + task + (1 | respondent), data = w)
b <- fixef(mr)[main_terms]; se <- sqrt(diag(as.matrix(vcov(mr))))[match(main_terms, names(fixef(mr)))]
out$within_mixed <- list(terms = main_terms, estimate = unname(b), se = unname(se),
                         p = unname(2 * pnorm(-abs(b / se))), ci_lower = unname(b - qnorm(0.975) * se),
                         ci_upper = unname(b + qnorm(0.975) * se))

## ---- conjoint: 300 respondents x 5 tasks x 2 profiles
cj <- read.csv(file.path(dd, "experiment_conjoint.csv"))
cj$scope <- factor(cj$scope, levels = c("narrow", "broad"))
cj$review <- factor(cj$review, levels = c("leader", "committee", "panel"))
cj$inspection <- factor(cj$inspection, levels = c("monthly", "quarterly", "yearly"))
cj$resources <- factor(cj$resources, levels = c("none", "staff", "budget"))
attrs <- c("scope", "review", "inspection", "resources")
fm <- chosen ~ scope + review + inspection + resources
m <- lm(fm, data = cj)
V <- vcovCL(m, cluster = ~respondent, type = "HC1")
out$amce <- co(m, V, names(coef(m))[-1])
out$amce$wald <- lapply(attrs, function(a) wald(m, V, terms_of(m, paste0("^", a))))
mms <- list()
for (a in attrs) {
  f <- lm(as.formula(paste("chosen ~ 0 +", a)), data = cj)
  mms[[a]] <- co(f, vcovCL(f, cluster = ~respondent, type = "HC1"), h0 = 0.5)
}
out$mm <- mms
full <- lm(chosen ~ (scope + review + inspection + resources) * leader, data = cj)
out$nested_leader <- nested(m, full)
Vf <- vcovCL(full, cluster = ~respondent, type = "HC1")
ft <- terms_of(full, ":")
out$cj_mod <- co(full, Vf, ft)
out$cj_mod$wald <- wald(full, Vf, ft)
out$cj_subgroup <- lapply(c(0, 1), function(g) {
  sub <- cj[cj$leader == g, ]
  f <- lm(fm, data = sub)
  co(f, vcovCL(f, cluster = sub$respondent, type = "HC1"), names(coef(f))[-1])
})
cj$task_f <- factor(cj$task); cj$profile_f <- factor(cj$profile)
out$carryover <- nested(m, lm(chosen ~ (scope + review + inspection + resources) * task_f, data = cj))
out$profile_order <- nested(m, lm(chosen ~ (scope + review + inspection + resources) * profile_f, data = cj))

## ---- conjoint with a restriction (scope narrow never with review panel): the AMCE of a
## restricted attribute averages its conditional effects over the partner's levels allowed
## with both the level and the baseline (uniform design weights), from lm(y ~ scope * review + ...)
cr <- read.csv(file.path(dd, "experiment_conjoint_restricted.csv"))
cr$scope <- factor(cr$scope, levels = c("narrow", "broad"))
cr$review <- factor(cr$review, levels = c("leader", "committee", "panel"))
cr$inspection <- factor(cr$inspection, levels = c("monthly", "quarterly", "yearly"))
cr$resources <- factor(cr$resources, levels = c("none", "staff", "budget"))
m <- lm(chosen ~ scope * review + inspection + resources, data = cr)
b <- coef(m); b <- b[!is.na(b)]
V <- vcovCL(m, cluster = ~respondent, type = "HC1")
lc <- function(w) {
  w <- w[names(w) %in% names(b)]
  g <- setNames(rep(0, length(b)), names(b)); g[names(w)] <- w
  est <- sum(g * b); se <- sqrt(drop(t(g) %*% V %*% g)); q <- qt(0.975, m$df.residual)
  list(estimate = est, se = se, p = 2 * pt(-abs(est / se), m$df.residual), ci_lower = est - q * se,
       ci_upper = est + q * se)
}
combos <- list(
  scopebroad = c(scopebroad = 1, "scopebroad:reviewcommittee" = 0.5),       # review: leader, committee
  reviewcommittee = c(reviewcommittee = 1, "scopebroad:reviewcommittee" = 0.5),  # scope: narrow, broad
  reviewpanel = c(reviewpanel = 1, "scopebroad:reviewpanel" = 1),           # scope: broad only (aliased term)
  inspectionquarterly = c(inspectionquarterly = 1), inspectionyearly = c(inspectionyearly = 1),
  resourcesstaff = c(resourcesstaff = 1), resourcesbudget = c(resourcesbudget = 1))
rr <- lapply(combos, lc)
out$amce_restricted <- list(terms = names(rr), estimate = sapply(rr, `[[`, "estimate"), se = sapply(rr, `[[`, "se"),
                            p = sapply(rr, `[[`, "p"), ci_lower = sapply(rr, `[[`, "ci_lower"),
                            ci_upper = sapply(rr, `[[`, "ci_upper"))
out$amce_restricted <- lapply(out$amce_restricted, unname)

writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/experiment.json")
