# Reference values for `reliability --ordinal` (tests/test_reliability_ordinal.py).
# Run from the repository root:  Rscript tests/reference/reliability_ordinal.R
# Reads tests/reference/data/poly_sim.csv (written by polychoric.R), writes
# tests/reference/data/reliability_ordinal.csv once (a3 and p2 reverse-worded: 6 - x, so the
# instrument reliability_ordinal.yaml keys them reverse) and tests/reference/reliability_ordinal.json.
# R 4.2, psych 2.2.9, GPArotation, jsonlite.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(jsonlite)})

out_file <- "tests/reference/data/reliability_ordinal.csv"
if (!file.exists(out_file)) {
  d <- read.csv("tests/reference/data/poly_sim.csv")
  d$a3 <- 6 - d$a3
  d$p2 <- 6 - d$p2
  write.csv(d[, c(paste0("a", 1:5), paste0("p", 1:5))], out_file, row.names = FALSE, na = "")
}
d <- read.csv(out_file)
d$a3 <- 6 - d$a3          # the instrument's reverse keys: 1 + 5 - x
d$p2 <- 6 - d$p2

q <- function(expr) suppressMessages(suppressWarnings(expr))
one <- function(x, nf, use) {
  x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
  if (use == "listwise") x <- na.omit(x)
  rho <- q(polychoric(x))$rho
  res <- list(n = nrow(x), alpha_ordinal = q(alpha(rho))$total$raw_alpha,
              omega_total_ordinal = q(omega(x, nfactors = 1, poly = TRUE, plot = FALSE))$omega.tot,
              pearson_alpha = q(alpha(x))$total$raw_alpha)
  if (nf >= 2) {
    o <- q(omega(x, nfactors = nf, poly = TRUE, plot = FALSE))
    res$omega_h_ordinal <- o$omega_h
    res$omega_total_sl_ordinal <- o$omega.tot
  }
  res
}
facets <- list(active = paste0("a", 1:5), passive = paste0("p", 1:5))
out <- list()
for (use in c("pairwise", "listwise")) {
  sc <- list(avoidance = one(d[, unlist(facets)], 2, use))
  for (f in names(facets)) sc[[f]] <- one(d[, facets[[f]]], 1, use)
  out[[use]] <- sc
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/reference/reliability_ordinal.json")
