# Bootstrap of `sem` replayed in lavaan on the same resamples (tests/reference/sem_boot_indices.py
# writes them): every refit by lavaan::sem, percentile CIs (quantile type 7) and bias-corrected
# CIs of the parameters, the defined parameters and the standardized (std.all) values.
# Run from the repository root:  Rscript tests/reference/sem_boot.R  -> sem_boot.json
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
pd <- read.csv("tests/reference/data/poldem_bollen.csv")
idx <- as.matrix(read.csv("tests/reference/data/sem_boot_idx_poldem.csv", header = FALSE))
model <- fromJSON("tests/reference/sem_lavaan.json")$indirect$model
full <- sem(model, data = pd)
pe <- parameterEstimates(full); ss <- standardizedSolution(full)
key <- paste(pe$lhs, pe$op, pe$rhs)
raw <- matrix(NA, nrow(idx), nrow(pe)); std <- matrix(NA, nrow(idx), nrow(ss))
for (b in seq_len(nrow(idx))) {
  f <- sem(model, data = pd[idx[b, ], ])
  if (!lavInspect(f, "converged")) next
  raw[b, ] <- parameterEstimates(f)$est
  std[b, ] <- standardizedSolution(f)$est.std
}
bc <- function(d, est) {
  d <- d[is.finite(d)]; z0 <- qnorm(mean(d < est))
  unname(quantile(d, pnorm(2 * z0 + qnorm(c(0.025, 0.975)))))
}
out <- list()
for (k in seq_along(key)) {
  out[[k]] <- list(lhs = pe$lhs[k], op = pe$op[k], rhs = pe$rhs[k], est = pe$est[k],
                   ci = unname(quantile(raw[, k], c(0.025, 0.975), na.rm = TRUE)),
                   bc = if (sd(raw[, k], na.rm = TRUE) > 0) bc(raw[, k], pe$est[k]) else c(NA, NA),
                   se = sd(raw[, k], na.rm = TRUE),
                   std_ci = unname(quantile(std[, k], c(0.025, 0.975), na.rm = TRUE)),
                   std_bc = if (sd(std[, k], na.rm = TRUE) > 0) bc(std[, k], ss$est.std[k]) else c(NA, NA))
}
write_json(list(n_converged = sum(!is.na(raw[, 1])), params = out), "tests/reference/sem_boot.json",
           digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE)
