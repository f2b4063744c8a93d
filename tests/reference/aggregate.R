# Reference values for `avoid-survey score --aggregate` (tests/test_scoring.py).
# Run from the repository root:  Rscript tests/reference/aggregate.R
# Data: psych::bfi (25 items, 7 reverse-keyed, NAs) with its education and age columns as
# "units" (writes tests/reference/data/aggregate_bfi.csv once), and sample_data/responses.csv
# with township_id when it exists. multilevel is not installed: ICC(1)/ICC(2) are computed
# from base R aov() exactly as multilevel::ICC1/ICC2 do, r_wg(j) by its formula.
suppressPackageStartupMessages({library(psych); library(jsonlite)})

f <- "tests/reference/data/aggregate_bfi.csv"
if (!file.exists(f)) {
  b <- psych::bfi
  b$unit_edu <- b$education
  b$unit_age <- b$age
  write.csv(b[, c(1:25, which(names(b) %in% c("unit_edu", "unit_age")))], f, row.names = FALSE, na = "")
}
d <- read.csv(f)

# Score as avoid-survey does: reverse (min + max - x), mean of answered items when at least
# ceil(min_items * k) are answered.
score <- function(x, rev, lo, hi, min_items = 0.8) {
  for (v in intersect(rev, names(x))) x[[v]] <- lo + hi - x[[v]]
  n <- rowSums(!is.na(x))
  s <- rowMeans(x, na.rm = TRUE)
  s[n < max(1, ceiling(min_items * ncol(x) - 1e-9))] <- NA
  list(score = s, n = n, x = x)
}

# multilevel::ICC1 / ICC2 on aov(y ~ as.factor(g))
icc <- function(y, g) {
  ok <- !is.na(y) & !is.na(g)
  m <- summary(aov(y[ok] ~ as.factor(g[ok])))[[1]]
  MSB <- m[1, 3]; MSW <- m[2, 3]
  GSIZE <- (m[2, 1] + (m[1, 1] + 1)) / (m[1, 1] + 1)
  list(n = sum(ok), n_units = m[1, 1] + 1, mean_group_size = GSIZE, msb = MSB, msw = MSW,
       f = m[1, 4], p = m[1, 5],
       icc1 = (MSB - MSW) / (MSB + (GSIZE - 1) * MSW), icc2 = (MSB - MSW) / MSB,
       means = tapply(y[ok], g[ok], mean))
}

# r_wg(j), James, Demaree & Wolf (1984), uniform null (A^2 - 1)/12; complete respondents;
# units with mean item variance above the null variance are set to 0; n < 2 -> NA.
rwgj <- function(x, g, A) {
  ok <- complete.cases(x) & !is.na(g)
  x <- x[ok, , drop = FALSE]; g <- g[ok]
  s_eu <- (A^2 - 1) / 12
  J <- ncol(x)
  r <- sapply(split(x, g), function(q) {
    if (nrow(q) < 2) return(NA)
    s2 <- mean(apply(q, 2, var))
    if (s2 > s_eu) return(0)
    J * (1 - s2 / s_eu) / (J * (1 - s2 / s_eu) + s2 / s_eu)
  })
  r <- r[!is.na(r)]
  list(mean = mean(r), median = median(r), n_units = length(r), share_70 = mean(r >= 0.70))
}

scales <- list(agree = paste0("A", 1:5), conscientious = paste0("C", 1:5), extraversion = paste0("E", 1:5),
               neuroticism = paste0("N", 1:5), openness = paste0("O", 1:5))
scales$big_five <- unlist(scales, use.names = FALSE)
rev <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")

ref <- list(meta = list(R = R.version.string))
for (u in c("unit_edu", "unit_age")) {
  out <- list()
  for (s in names(scales)) {
    sc <- score(d[, scales[[s]]], rev, 1, 6)
    ic <- icc(sc$score, d[[u]])
    rw <- rwgj(sc$x, d[[u]], 6)
    out[[s]] <- list(n = ic$n, n_units = ic$n_units, mean_group_size = ic$mean_group_size, msb = ic$msb,
                     msw = ic$msw, f = ic$f, p = ic$p, icc1 = ic$icc1, icc2 = ic$icc2,
                     rwg_j_mean = rw$mean, rwg_j_median = rw$median, rwg_j_n_units = rw$n_units,
                     rwg_j_share_70 = rw$share_70,
                     unit_means = as.list(setNames(as.numeric(ic$means), names(ic$means))),
                     score_mean = mean(sc$score, na.rm = TRUE), score_n = sum(!is.na(sc$score)))
  }
  ref[[u]] <- out
}
# Our sample data snapshot (tests/reference/data/reliability_sample.csv, written by
# reliability.R from sample_data/responses.csv): townships as units, bundled instrument keys.
snap <- "tests/reference/data/reliability_sample.csv"
if (file.exists(snap)) {
  keys <- fromJSON("tests/reference/reliability_sample_keys.json", simplifyVector = FALSE)
  sd <- read.csv(snap)
  out <- list()
  for (s in keys$scales) {
    items <- unlist(s$items)
    if (!all(items %in% names(sd))) next
    sc <- score(sd[, items, drop = FALSE], unlist(keys$reverse), keys$min, keys$max)
    ic <- icc(sc$score, sd$township_id)
    rw <- rwgj(sc$x, sd$township_id, keys$max - keys$min + 1)
    out[[s$id]] <- list(n = ic$n, n_units = ic$n_units, mean_group_size = ic$mean_group_size, msb = ic$msb,
                        msw = ic$msw, f = ic$f, p = ic$p, icc1 = ic$icc1, icc2 = ic$icc2,
                        rwg_j_mean = rw$mean, rwg_j_median = rw$median, rwg_j_n_units = rw$n_units,
                        rwg_j_share_70 = rw$share_70,
                        unit_means = as.list(setNames(as.numeric(ic$means), names(ic$means))),
                        score_mean = mean(sc$score, na.rm = TRUE), score_n = sum(!is.na(sc$score)))
  }
  ref$sample_township <- out
}
# sum and min-items variants of one scale, for the scoring rule
sc5 <- score(d[, scales$agree], rev, 1, 6, min_items = 0.5)
ref$agree_min05 <- list(mean = mean(sc5$score, na.rm = TRUE), n = sum(!is.na(sc5$score)),
                        first = head(sc5$score, 20))
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "tests/reference/aggregate.json")
cat("wrote tests/reference/aggregate.json\n")
