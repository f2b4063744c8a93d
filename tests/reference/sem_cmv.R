# Reference values for `avoid-survey cmv` (analysis/stats/sem/cmv.py) on HolzingerSwineford1939
# (three facets visual/textual/speed; marker column ageyr). Run from the repository root:
#   Rscript tests/reference/sem_cmv.R  -> tests/reference/sem_cmv.json
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
hs <- read.csv("tests/reference/data/hs_holzinger1939.csv")
items <- paste0("x", 1:9)
x <- hs[, items]
ev <- eigen(cor(x))$values
meas <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
single <- paste("cmv_single =~", paste(items, collapse = " + "))
fm <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")
f_meas <- sem(meas, data = hs); f_single <- sem(single, data = hs)
l1 <- standardizedSolution(f_single)
l1 <- l1$est.std[l1$op == "=~"]
sc <- sapply(list(visual = 1:3, textual = 4:6, speed = 7:9), function(k) rowMeans(x[, k]))
rm_all <- cor(hs$ageyr, sc)[1, ]
r_m <- min(rm_all[rm_all > 0])
pairs <- list()
for (ab in list(c("visual", "textual"), c("visual", "speed"), c("textual", "speed"))) {
  r <- cor(sc[, ab[1]], sc[, ab[2]]); rc <- (r - r_m) / (1 - r_m)
  t <- rc / sqrt((1 - rc^2) / (nrow(hs) - 3))
  pairs[[length(pairs) + 1]] <- list(a = ab[1], b = ab[2], r = r, r_corrected = rc, p = 2 * pt(-abs(t), nrow(hs) - 3))
}
out <- list(first_component_share = ev[1] / length(ev), n_eigen_gt1 = sum(ev > 1),
            first_factor_share = mean(l1^2),
            measurement = as.list(fitMeasures(f_meas, fm)), single = as.list(fitMeasures(f_single, fm)),
            r_m = r_m, pairs = pairs)
write_json(out, "tests/reference/sem_cmv.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
