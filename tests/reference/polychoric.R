# Reference values for the polychoric / polyserial numerics (tests/test_polychoric.py).
# Run from the repository root:  Rscript tests/reference/polychoric.R
# Writes tests/reference/data/poly_sim.csv once (simulated skewed 5-point answers, see below)
# and tests/reference/polychoric.json.
# R 4.2, lavaan 0.6-14, psych 2.2.9, jsonlite.
suppressPackageStartupMessages({library(lavaan); library(psych); library(jsonlite)})

sim_file <- "tests/reference/data/poly_sim.csv"
if (!file.exists(sim_file)) {
  # 800 officials, 10 five-point items in two facets (a1-a5, p1-p5) of one general factor;
  # skewed: few admit avoidance (most answers 1-2, category 5 rare), so some item pairs have
  # empty cells; about 2% missing answers; x_cont a continuous covariate (for polyserial).
  set.seed(20261203)
  n <- 800
  g <- rnorm(n); fa <- rnorm(n); fp <- rnorm(n)
  lat <- cbind(sapply(1:5, function(i) 0.6 * g + 0.5 * fa + rnorm(n, sd = 0.6)),
               sapply(1:5, function(i) 0.6 * g + 0.5 * fp + rnorm(n, sd = 0.6)))
  cuts <- c(-0.2, 0.6, 1.3, 2.1)
  d <- as.data.frame(apply(lat, 2, function(z) findInterval(z / sd(z) + rnorm(1, 0, 0.15), cuts) + 1L))
  names(d) <- c(paste0("a", 1:5), paste0("p", 1:5))
  for (j in 1:10) d[sample.int(n, 16), j] <- NA
  d$x_cont <- round(40 + 8 * (0.5 * g + rnorm(n, sd = 0.85)), 2)
  write.csv(d, sim_file, row.names = FALSE, na = "")
}
d <- read.csv(sim_file)
items <- c(paste0("a", 1:5), paste0("p", 1:5))
X <- d[, items]

mat <- function(m) { m <- unclass(as.matrix(m)); attributes(m) <- list(dim = dim(m)); m }
th_list <- function(th, items) {
  # lavaan's threshold vector names are "a1|t1", ...
  out <- list()
  for (it in items) out[[it]] <- unname(th[grep(paste0("^", it, "\\|"), names(th))])
  out
}
out <- list(items = items)

# lavaan, listwise (lavCor's default) and pairwise
out$lavaan_listwise <- list(rho = mat(lavCor(X, ordered = items)),
                            th = th_list(lavCor(X, ordered = items, output = "th"), items),
                            n = nrow(na.omit(X)))
out$lavaan_pairwise <- list(rho = mat(lavCor(X, ordered = items, missing = "pairwise")),
                            th = th_list(lavCor(X, ordered = items, missing = "pairwise", output = "th"), items))
# empty cells found by lavaan (listwise)
tabs <- attr(lavCor(X, ordered = items), "zero.cell.tables")

# psych (global thresholds: every item reaches 5)
pc <- suppressWarnings(suppressMessages(polychoric(X)))
out$psych_global <- list(rho = mat(pc$rho), tau = lapply(seq_along(items), function(j) unname(pc$tau[j, ])))

# psych local: p5's 5s recoded to 4 (its highest code differs: psych sets global = FALSE,
# corrects zero cells with 0.5 and takes thresholds from each pair's table)
X2 <- X; X2$p5[X2$p5 == 5] <- 4
pc2 <- suppressWarnings(suppressMessages(polychoric(X2)))
out$psych_local <- list(rho = mat(pc2$rho))
pc3 <- suppressWarnings(suppressMessages(polychoric(X2, correct = 0)))
out$psych_local_nocorrect <- list(rho = mat(pc3$rho))

# polyserial: lavCor with one continuous variable (listwise over the four columns)
Y <- d[, c("a1", "a2", "p1", "x_cont")]
ps <- lavCor(Y, ordered = c("a1", "a2", "p1"))
out$polyserial <- list(rho = mat(ps), items = names(Y),
                       rho_pairwise = mat(lavCor(Y, ordered = c("a1", "a2", "p1"), missing = "pairwise")))

# binary items with an empty cell (psychTools::ability, first 6 items, 0/1 with NAs)
ab <- read.csv("tests/reference/data/ability.csv")[, 1:6]
out$binary <- list(items = names(ab), rho = mat(lavCor(ab, ordered = names(ab))),
                   rho_pairwise = mat(lavCor(ab, ordered = names(ab), missing = "pairwise")))

# real 6-point answers with NAs: psych::bfi, the 10 agreeableness and conscientiousness items
bfi <- read.csv("tests/reference/data/bfi.csv")
B <- bfi[, c(paste0("A", 1:5), paste0("C", 1:5))]
pb <- suppressWarnings(suppressMessages(polychoric(B)))
out$bfi <- list(items = names(B), lavaan = mat(lavCor(B, ordered = names(B))),
                lavaan_th = th_list(lavCor(B, ordered = names(B), output = "th"), names(B)),
                psych = mat(pb$rho))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE), "tests/reference/polychoric.json")
cat("empty-cell tables (lavaan):", nrow(tabs), "\n")
print(tabs)

# per-case scores (for the WLSMV weight matrix): lavaan's lav_bvord_cor_scores for one pair
# (a1, p3) and lav_uvord_scores for a1, on the listwise rows, at lavCor's estimate
Xc <- na.omit(X)
y1 <- as.integer(ordered(Xc$a1)); y2 <- as.integer(ordered(Xc$p3))
th1 <- lavaan:::lav_uvord_fit(y = y1)$theta; th2 <- lavaan:::lav_uvord_fit(y = y2)$theta
r13 <- out$lavaan_listwise$rho[1, 8]
sc <- lavaan:::lav_bvord_cor_scores(Y1 = y1, Y2 = y2, rho = r13, th.y1 = th1, th.y2 = th2)
usc <- lavaan:::lav_uvord_scores(y = y1)
out2 <- jsonlite::fromJSON("tests/reference/polychoric.json", simplifyVector = FALSE)
out2$scores <- list(rho = r13, dx_rho = sc$dx.rho, dx_th_y1 = unname(sc$dx.th.y1), dx_th_y2 = unname(sc$dx.th.y2),
                    uni_a1 = unname(usc))
writeLines(toJSON(out2, digits = NA, auto_unbox = TRUE, pretty = FALSE), "tests/reference/polychoric.json")
