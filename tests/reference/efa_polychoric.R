# Reference values for `efa --cor polychoric` (tests/test_efa_polychoric.py).
# Run from the repository root:  Rscript tests/reference/efa_polychoric.R
# Reads tests/reference/data/{poly_sim,bfi}.csv, writes tests/reference/efa_polychoric.json.
# R 4.2, psych 2.2.9, GPArotation 2022.10.2, jsonlite.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(jsonlite)})
q <- function(expr) suppressMessages(suppressWarnings(expr))
mat <- function(m) { m <- unclass(as.matrix(m)); attributes(m) <- list(dim = dim(m)); m }

case <- function(x, nf) {
  pc <- q(polychoric(x))
  R <- pc$rho
  f <- q(fa(x, nfactors = nf, cor = "poly", fm = "minres", rotate = "oblimin", warnings = FALSE))
  k <- KMO(R)
  b <- cortest.bartlett(R, n = nrow(x))
  set.seed(1)
  pa <- q(fa.parallel(x, cor = "poly", fa = "fa", n.iter = 20, plot = FALSE))
  list(items = colnames(x), n = nrow(x), rho = mat(R), tau = lapply(seq_len(ncol(x)), function(j) unname(pc$tau[j, ])),
       loadings = mat(f$loadings), factors = colnames(f$loadings), communality = unname(f$communality),
       Phi = mat(f$Phi), kmo = k$MSA, kmo_items = unname(k$MSAi),
       bartlett = list(chi2 = b$chisq, df = b$df, p = b$p.value),
       fa_values = pa$fa.values, sim_fa_mean = pa$fa.sim, nfact = pa$nfact)
}

d <- read.csv("tests/reference/data/poly_sim.csv")
X <- d[, c(paste0("a", 1:5), paste0("p", 1:5))]
bfi <- read.csv("tests/reference/data/bfi.csv")
B <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5))]
out <- list(sim = case(X, 2), sim_listwise = case(na.omit(X), 2), bfi = case(B, 2))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), "tests/reference/efa_polychoric.json")
