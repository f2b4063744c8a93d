# HTMT and CR when one item loads on two factors (issue 20: a shared item's correlation with
# itself must not enter the between-factor block; CR uses the item's model residual variance).
# Run from the repository root: Rscript tests/reference/cfa_crossload.R
suppressPackageStartupMessages({library(lavaan); library(semTools); library(jsonlite)})
set.seed(20261203)
n <- 600
f1 <- rnorm(n); f2 <- 0.4 * f1 + sqrt(1 - 0.16) * rnorm(n)
mk <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
d <- data.frame(a1 = mk(f1, .75), a2 = mk(f1, .70), a3 = mk(f1, .65),
                b1 = mk(f2, .72), b2 = mk(f2, .68), b3 = mk(f2, .60))
d$x <- 0.5 * f1 + 0.4 * f2 + sqrt(1 - 0.25 - 0.16 - 2 * .5 * .4 * .4) * rnorm(n)
d <- round(d, 6)
write.csv(d, "tests/reference/data/cfa_crossload.csv", row.names = FALSE)
model <- "A =~ a1 + a2 + a3 + x\nB =~ b1 + b2 + b3 + x"
fit <- cfa(model, data = d)
ss <- standardizedSolution(fit)
cr <- sapply(c("A", "B"), function(f) {
  l <- abs(ss$est.std[ss$op == "=~" & ss$lhs == f]); it <- ss$rhs[ss$op == "=~" & ss$lhs == f]
  th <- sapply(it, function(i) ss$est.std[ss$op == "~~" & ss$lhs == i & ss$rhs == i])
  sum(l)^2 / (sum(l)^2 + sum(th))
})
# htmt() on the data lists x twice for lavCor (a singular matrix): give it the correlation matrix
h1 <- htmt(model, sample.cov = cor(d), htmt2 = FALSE)
h2 <- htmt(model, sample.cov = cor(d), htmt2 = TRUE)
res <- list(model = model, cr = as.list(cr), htmt = h1["B", "A"], htmt2 = h2["B", "A"],
            semtools = as.character(packageVersion("semTools")), lavaan = as.character(packageVersion("lavaan")))
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/cfa_crossload.json")
