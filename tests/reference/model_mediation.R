# Reference values for analysis/models/mediation.py (fit_mediation).
# Run from the repository root, in this order:
#   Rscript tests/reference/model_mediation.R                 # 1. exports the data (stops if no indices yet)
#   python tests/reference/model_mediation_indices.py         # 2. our generator's resample indices -> CSV
#   Rscript tests/reference/model_mediation.R                 # 3. lm() fits + a plain bootstrap loop over
#                                                             #    those same indices -> model_mediation.json
# The bootstrap check does not need R and numpy to share an RNG: R replays the resamples our
# numpy Generator drew, so percentile CIs (quantile type 7) and bootstrap SDs must agree exactly.
suppressPackageStartupMessages(library(jsonlite))
options(digits = 15)
dir <- "tests/reference"
mt <- datasets::mtcars
mt$car <- rownames(mt)
write.csv(mt[, c("car", "mpg", "wt", "hp", "disp", "qsec", "am")], file.path(dir, "data/med_mtcars.csv"),
          row.names = FALSE)
ma <- nlme::MathAchieve
ma <- data.frame(school = as.character(ma$School), minority = as.numeric(ma$Minority == "Yes"),
                 female = as.numeric(ma$Sex == "Female"), ses = ma$SES, mathach = ma$MathAch,
                 meanses = ma$MEANSES)
write.csv(ma, file.path(dir, "data/med_mathach.csv"), row.names = FALSE)
idx_mt_file <- file.path(dir, "data/med_boot_idx_mtcars.csv")
idx_ma_file <- file.path(dir, "data/med_boot_idx_mathach.csv")
if (!file.exists(idx_mt_file) || !file.exists(idx_ma_file))
  stop("data exported; now run: python tests/reference/model_mediation_indices.py, then this script again")
idx_mt <- as.matrix(read.csv(idx_mt_file, header = FALSE))          # 1-based rows of med_mtcars.csv
idx_ma <- as.matrix(read.csv(idx_ma_file, header = FALSE, colClasses = "character"))  # school labels
mt <- read.csv(file.path(dir, "data/med_mtcars.csv"))
ma <- read.csv(file.path(dir, "data/med_mathach.csv"), colClasses = c(school = "character"))

# effects of one data set: the same definitions as fit_mediation
effects <- function(d, x, meds, y, covs = character(0), w = NULL, path = "a", wlev = NULL) {
  rhs <- function(v) paste(c(v, covs), collapse = " + ")
  out <- list()
  a <- b <- a3 <- b3 <- numeric(0)
  for (m in meds) {
    fa <- if (!is.null(w) && path == "a") lm(as.formula(paste(m, "~", rhs(c(x, w, paste0(x, ":", w))))), d)
          else lm(as.formula(paste(m, "~", rhs(x))), d)
    a[m] <- coef(fa)[[x]]
    if (!is.null(w) && path == "a") a3[m] <- coef(fa)[[paste0(x, ":", w)]]
  }
  yv <- c(x, meds)
  if (!is.null(w) && path == "b") yv <- c(yv, w, paste0(meds, ":", w))
  fb <- lm(as.formula(paste(y, "~", rhs(yv))), d)
  for (m in meds) {
    b[m] <- coef(fb)[[m]]
    if (!is.null(w) && path == "b") b3[m] <- coef(fb)[[paste0(m, ":", w)]]
  }
  fc <- lm(as.formula(paste(y, "~", rhs(x))), d)
  out$direct <- coef(fb)[[x]]
  out$total <- coef(fc)[[x]]
  if (is.null(w)) {
    for (m in meds) out[[paste0("indirect|", m)]] <- a[[m]] * b[[m]]
    if (length(meds) > 1) out[["indirect|total"]] <- sum(a * b)
  } else {
    for (m in meds) {
      out[[paste0("imm|", m)]] <- if (path == "a") a3[[m]] * b[[m]] else a[[m]] * b3[[m]]
      for (l in names(wlev)) {
        wv <- wlev[[l]]
        out[[paste0("cond|", m, "|", l)]] <- if (path == "a") (a[[m]] + a3[[m]] * wv) * b[[m]]
                                             else a[[m]] * (b[[m]] + b3[[m]] * wv)
      }
    }
    if (length(meds) > 1) for (l in names(wlev)) {
      wv <- wlev[[l]]
      out[[paste0("cond|total|", l)]] <- if (path == "a") sum((a + a3 * wv) * b) else sum(a * (b + b3 * wv))
    }
  }
  unlist(out)
}
coefs <- function(d, x, meds, y, covs = character(0), w = NULL, path = "a", cluster = NULL) {
  # with a cluster, the path SEs are sandwich::vcovCL (defaults: HC1, G/(G-1)) with t on n - p df
  summary <- function(f) list(coefficients = if (is.null(cluster)) base::summary(f)$coefficients
                              else lmtest::coeftest(f, vcov = sandwich::vcovCL(f, cluster = d[[cluster]]))[, ])
  rhs <- function(v) paste(c(v, covs), collapse = " + ")
  res <- list()
  for (m in meds) {
    f <- if (!is.null(w) && path == "a") lm(as.formula(paste(m, "~", rhs(c(x, w, paste0(x, ":", w))))), d)
         else lm(as.formula(paste(m, "~", rhs(x))), d)
    res[[m]] <- summary(f)$coefficients
  }
  yv <- c(x, meds)
  if (!is.null(w) && path == "b") yv <- c(yv, w, paste0(meds, ":", w))
  res[[y]] <- summary(lm(as.formula(paste(y, "~", rhs(yv))), d))$coefficients
  res[["total"]] <- summary(lm(as.formula(paste(y, "~", rhs(x))), d))$coefficients
  lapply(res, function(s) list(term = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]),
                               t = unname(s[, 3]), p = unname(s[, 4])))
}
run <- function(id, d, idx, cluster = NULL, x, meds, y, covs = character(0), w = NULL, path = "a") {
  wlev <- NULL
  if (!is.null(w)) {
    mu <- mean(d[[w]]); s <- sd(d[[w]])
    wlev <- list("mean-1SD" = mu - s, "mean" = mu, "mean+1SD" = mu + s)
  }
  est <- effects(d, x, meds, y, covs, w, path, wlev)
  rows_of <- if (!is.null(cluster)) split(seq_len(nrow(d)), d[[cluster]]) else NULL
  boot <- t(apply(idx, 1, function(r) {
    rows <- if (is.null(cluster)) as.integer(r) else unlist(rows_of[r], use.names = FALSE)
    effects(d[rows, ], x, meds, y, covs, w, path, wlev)
  }))
  list(id = id, n = nrow(d), n_boot = nrow(idx), effects = as.list(est),
       boot_se = as.list(apply(boot, 2, sd)),
       ci_lower = as.list(apply(boot, 2, quantile, probs = 0.025, type = 7, names = FALSE)),
       ci_upper = as.list(apply(boot, 2, quantile, probs = 0.975, type = 7, names = FALSE)),
       coefficients = coefs(d, x, meds, y, covs, w, path, cluster), w_levels = wlev)
}
res <- list(
  run("mtcars_simple", mt, idx_mt, x = "wt", meds = "hp", y = "mpg", covs = "am"),
  run("mtcars_parallel", mt, idx_mt, x = "wt", meds = c("hp", "disp"), y = "mpg", covs = "am"),
  run("mtcars_modA", mt, idx_mt, x = "wt", meds = "hp", y = "mpg", w = "qsec", path = "a"),
  run("mtcars_modB", mt, idx_mt, x = "wt", meds = c("hp", "disp"), y = "mpg", w = "qsec", path = "b"),
  run("mathach_cluster", ma, idx_ma, cluster = "school", x = "minority", meds = "ses", y = "mathach",
      covs = "female"),
  run("mathach_cluster_modA", ma, idx_ma, cluster = "school", x = "minority", meds = "ses", y = "mathach",
      covs = "female", w = "meanses", path = "a")
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(dir, "model_mediation.json"))
cat("wrote", file.path(dir, "model_mediation.json"), "\n")
