# Reference values for standardized beta, per-column VIF and hierarchical steps (issue 16).
# Run from the project root:  Rscript tests/reference/model_beta_steps.R
# Writes tests/reference/model_beta_steps.json; data: tests/reference/data/model_mtcars.csv
# (written by model.R).
suppressPackageStartupMessages({ library(car); library(jsonlite) })
mt <- read.csv("tests/reference/data/model_mtcars.csv")
out <- list()

## ---- beta: lm on the standardized design columns (factor dummies and the product column
## standardized as columns, as SPSS does); VIF of each column from its auxiliary regression
m <- lm(mpg ~ wt * hp + factor(cyl) + am, data = mt)
X <- model.matrix(m)[, -1]
Zs <- scale(X)
colnames(Zs) <- colnames(X)
mb <- lm(scale(mt$mpg) ~ Zs)
beta <- coef(mb)[-1]
names(beta) <- colnames(X)
aux <- sapply(colnames(X), function(j) {
  r2 <- summary(lm(X[, j] ~ X[, colnames(X) != j]))$r.squared
  1 / (1 - r2)
})
out$beta_vif <- list(terms = colnames(X), beta = unname(beta), vif = unname(aux))
m3 <- lm(mpg ~ wt + hp + qsec, data = mt)
out$car_vif <- as.list(car::vif(m3))

## ---- hierarchical steps: block 1 am + gear; block 2 + wt + hp; block 3 + wt:hp
s1 <- lm(mpg ~ am + gear, data = mt)
s2 <- lm(mpg ~ am + gear + wt + hp, data = mt)
s3 <- lm(mpg ~ am + gear + wt + hp + wt:hp, data = mt)
fits <- list(s1, s2, s3)
a12 <- anova(s1, s2); a23 <- anova(s2, s3)
f1 <- summary(s1)$fstatistic
out$steps <- list(
  r = sapply(fits, function(f) sqrt(summary(f)$r.squared)),
  r2 = sapply(fits, function(f) summary(f)$r.squared),
  adj_r2 = sapply(fits, function(f) summary(f)$adj.r.squared),
  sigma = sapply(fits, function(f) summary(f)$sigma),
  r2_change = c(summary(s1)$r.squared, summary(s2)$r.squared - summary(s1)$r.squared,
                summary(s3)$r.squared - summary(s2)$r.squared),
  f_change = c(unname(f1[1]), a12$F[2], a23$F[2]),
  df1 = c(unname(f1[2]), a12$Df[2], a23$Df[2]),
  df2 = c(unname(f1[3]), a12$Res.Df[2], a23$Res.Df[2]),
  p = c(pf(f1[1], f1[2], f1[3], lower.tail = FALSE), a12$`Pr(>F)`[2], a23$`Pr(>F)`[2]))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/model_beta_steps.json")
