# Reference values for avoid-survey `model` (OLS/HC/cluster, logit/probit, polr,
# standardized betas, VIF, hierarchical F-change, simple slopes, Johnson-Neyman).
# Run from the project root:  Rscript tests/reference/model.R
# Writes tests/reference/model_reference.json and the data sets under tests/reference/data/.
suppressPackageStartupMessages({
  library(sandwich); library(MASS); library(ordinal); library(car); library(jsonlite)
})
out <- list()
dd <- "tests/reference/data"
co <- function(fit, V = vcov(fit)) {
  b <- coef(fit)
  list(terms = names(b), estimate = unname(b), se = unname(sqrt(diag(V))))
}

## ---- PetersenCL: one- and two-way clustering (sandwich::vcovCL defaults)
data(PetersenCL, package = "sandwich")
write.csv(PetersenCL, file.path(dd, "petersen.csv"), row.names = FALSE)
m <- lm(y ~ x, data = PetersenCL)
out$petersen <- list(
  classical = co(m),
  HC0 = co(m, vcovHC(m, type = "HC0")), HC1 = co(m, vcovHC(m, type = "HC1")),
  HC2 = co(m, vcovHC(m, type = "HC2")), HC3 = co(m, vcovHC(m, type = "HC3")),
  cl_firm = co(m, vcovCL(m, cluster = ~firm)),                # type HC1, cadjust G/(G-1)
  cl_year = co(m, vcovCL(m, cluster = ~year)),
  cl_firm_HC0 = co(m, vcovCL(m, cluster = ~firm, type = "HC0")),
  cl_two = co(m, vcovCL(m, cluster = ~firm + year)),          # multiway, multi0 = FALSE
  r2 = summary(m)$r.squared, n = nobs(m))

## ---- mtcars: OLS with a categorical, HC0-HC3, std betas, VIF, F
mt <- mtcars; mt$car <- rownames(mtcars)
write.csv(mt, file.path(dd, "model_mtcars.csv"), row.names = FALSE)
m2 <- lm(mpg ~ wt + hp + qsec + factor(cyl), data = mt)
s2 <- summary(m2)
# standardized beta: b * sd(x_col) / sd(y) over design columns (as lm.beta)
X <- model.matrix(m2)[, -1]
beta <- coef(m2)[-1] * apply(X, 2, sd) / sd(mt$mpg)
gv <- car::vif(m2)
m3 <- lm(mpg ~ wt + hp + qsec, data = mt)
out$mtcars <- list(
  classical = co(m2), HC0 = co(m2, vcovHC(m2, type = "HC0")), HC1 = co(m2, vcovHC(m2, type = "HC1")),
  HC2 = co(m2, vcovHC(m2, type = "HC2")), HC3 = co(m2, vcovHC(m2, type = "HC3")),
  cl_cyl_gear = co(m2, vcovCL(m2, cluster = ~gear)),
  std_beta = as.list(beta),
  r2 = s2$r.squared, adj_r2 = s2$adj.r.squared, f = unname(s2$fstatistic[1]),
  df1 = unname(s2$fstatistic[2]), df2 = unname(s2$fstatistic[3]),
  aic = AIC(m2), bic = BIC(m2), loglik = as.numeric(logLik(m2)),
  gvif = list(terms = rownames(gv), gvif = unname(gv[, 1]), df = unname(gv[, 2])),
  vif_numeric = as.list(car::vif(m3)))

## ---- hierarchical steps on mtcars: block 1 wt; block 2 + hp + qsec; block 3 + factor(cyl)
s1 <- lm(mpg ~ wt, data = mt); s2m <- lm(mpg ~ wt + hp + qsec, data = mt); s3 <- m2
a12 <- anova(s1, s2m); a23 <- anova(s2m, s3)
out$steps <- list(
  r2 = c(summary(s1)$r.squared, summary(s2m)$r.squared, summary(s3)$r.squared),
  f_change = c(summary(s1)$fstatistic[1], a12$F[2], a23$F[2]),
  p_change = c(pf(summary(s1)$fstatistic[1], 1, 30, lower.tail = FALSE), a12$`Pr(>F)`[2], a23$`Pr(>F)`[2]),
  df1 = c(1, a12$Df[2], a23$Df[2]), df2 = c(30, a12$Res.Df[2], a23$Res.Df[2]))

## ---- moderation on mtcars: mpg ~ wt * hp (hp centred), simple slopes of wt, JN interval
mt$hp_c <- mt$hp - mean(mt$hp); mt$wt_c <- mt$wt - mean(mt$wt)
mi <- lm(mpg ~ wt_c * hp_c, data = mt)
for (vt in c("classical", "HC3")) {
  V <- if (vt == "classical") vcov(mi) else vcovHC(mi, type = "HC3")
  b <- coef(mi)
  at <- c(-sd(mt$hp), 0, sd(mt$hp))
  slope <- b["wt_c"] + b["wt_c:hp_c"] * at
  se <- sqrt(V["wt_c", "wt_c"] + at^2 * V["wt_c:hp_c", "wt_c:hp_c"] + 2 * at * V["wt_c", "wt_c:hp_c"])
  tc <- qt(0.975, df.residual(mi))
  # Johnson-Neyman: (b1 + b3 m)^2 = t^2 (V11 + m^2 V33 + 2 m V13)
  A <- b[4]^2 - tc^2 * V[4, 4]; B <- 2 * (b[2] * b[4] - tc^2 * V[2, 4]); C <- b[2]^2 - tc^2 * V[2, 2]
  disc <- B^2 - 4 * A * C
  jn <- sort(c((-B - sqrt(disc)) / (2 * A), (-B + sqrt(disc)) / (2 * A)))
  out[[paste0("moderation_", vt)]] <- list(coef = co(mi, V), at = at, slope = unname(slope), se = unname(se),
                                          jn = unname(jn), df = df.residual(mi))
}

## ---- logit / probit: MASS::birthwt low ~ age + lwt + factor(race) + smoke
bw <- birthwt
write.csv(bw, file.path(dd, "model_birthwt.csv"), row.names = FALSE)
lg <- glm(low ~ age + lwt + factor(race) + smoke, family = binomial, data = bw)
pb <- glm(low ~ age + lwt + factor(race) + smoke, family = binomial(link = "probit"), data = bw)
lg0 <- glm(low ~ 1, family = binomial, data = bw)
out$logit <- c(co(lg), list(loglik = as.numeric(logLik(lg)), aic = AIC(lg), bic = BIC(lg),
                            ll0 = as.numeric(logLik(lg0)), deviance = deviance(lg),
                            hc0 = co(lg, vcovHC(lg, type = "HC0")),
                            cl_ptl = co(lg, vcovCL(lg, cluster = ~ftv))))   # glm default type HC0
out$probit <- c(co(pb), list(loglik = as.numeric(logLik(pb)), aic = AIC(pb)))

## ---- ordinal: ordinal::wine, MASS::polr (logit and probit); zeta = thresholds
wn <- wine[, c("rating", "temp", "contact", "judge")]
wn$rating <- as.integer(as.character(wn$rating))
write.csv(wn, file.path(dd, "model_wine.csv"), row.names = FALSE)
for (meth in c("logistic", "probit")) {
  po <- polr(factor(rating, ordered = TRUE) ~ temp + contact, data = wn, Hess = TRUE, method = meth)
  V <- vcov(po)
  out[[paste0("polr_", meth)]] <- list(terms = names(coef(po)), estimate = unname(coef(po)),
    se = unname(sqrt(diag(V))[names(coef(po))]), zeta_names = names(po$zeta), zeta = unname(po$zeta),
    zeta_se = unname(sqrt(diag(V))[names(po$zeta)]), loglik = as.numeric(logLik(po)), aic = AIC(po))
}

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/model_reference.json")
cat("ok\n")
