# Reference values for `avoid-survey describe` (analysis/stats/describe.py).
# Run from the repository root: Rscript tests/reference/describe.R  (writes describe.json)
#
# 1. Our sample data: tests/reference/data/describe_sample.csv is a snapshot of
#    sample_data/responses.csv (so the fixture does not move when the sample is regenerated),
#    scored with the bundled instrument's keys (tests/reference/reliability_sample_keys.json):
#    reverse items recoded as min + max - x, score = mean of the answered items when at least
#    ceiling(0.8 k) are answered. Frequencies (table), psych::describe(type = 2) skewness and
#    kurtosis (SPSS's G1, G2), cor.test on complete pairs, psych::alpha, descriptives by gender.
# 2. Holzinger & Swineford (tests/reference/data/hs_holzinger1939.csv) with the facets of
#    tests/reference/cfa_hs_instrument.yaml: sqrt(AVE) from lavaan::cfa standardized loadings
#    and alpha per facet, and the correlation table of the facet scores.
suppressPackageStartupMessages({library(jsonlite); library(psych); library(lavaan)})

type2 <- function(x) {
  x <- x[!is.na(x)]; n <- length(x)
  d <- psych::describe(x, type = 2)
  ses <- sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
  list(n = n, mean = mean(x), sd = sd(x), min = min(x), max = max(x), skewness = d$skew,
       kurtosis = d$kurtosis, se_skewness = ses, se_kurtosis = 2 * ses * sqrt((n^2 - 1) / ((n - 3) * (n + 5))))
}
cors <- function(d, v) {
  r <- list(); p <- list()
  for (a in v) for (b in v) if (a != b) {
    ct <- cor.test(d[[a]], d[[b]])
    r[[paste(a, b)]] <- unname(ct$estimate); p[[paste(a, b)]] <- ct$p.value
  }
  list(r = r, p = p)
}

# ---------------------------------------------------------------- 1. sample data
d <- read.csv("tests/reference/data/describe_sample.csv", fileEncoding = "UTF-8-BOM")
keys <- fromJSON("tests/reference/reliability_sample_keys.json", simplifyVector = FALSE)
x <- d
for (v in unlist(keys$reverse)) x[[v]] <- keys$min + keys$max - x[[v]]
scores <- list(); top <- character(0)
for (s in keys$scales) {
  items <- unlist(s$items)
  m <- as.matrix(x[, items, drop = FALSE])
  answered <- rowSums(!is.na(m))
  need <- max(1, ceiling(0.8 * length(items) - 1e-9))
  sc <- rowMeans(m, na.rm = TRUE); sc[answered < need] <- NA
  scores[[s$id]] <- sc
}
parents <- unique(unlist(lapply(keys$scales, function(s) unlist(s$facets))))
top <- setdiff(names(scores), parents)
numeric_vars <- c("age", "tenure_years", "weekly_hours", "innovative_task_share")
S <- cbind(as.data.frame(scores), d[, numeric_vars])

desc <- lapply(names(S), function(v) type2(S[[v]])); names(desc) <- names(S)

profile <- list()
for (v in c("gender", "education", "party_member", "rank", "leader_post", "employment_type",
            "prior_sanction", "primary_task")) {
  tab <- table(d[[v]], useNA = "no")
  profile[[v]] <- list(level = as.numeric(names(tab)), n = as.integer(tab),
                       percent = 100 * as.integer(tab) / nrow(d),
                       valid_percent = 100 * as.integer(tab) / sum(!is.na(d[[v]])),
                       missing = sum(is.na(d[[v]])))
}

corr_vars <- c(top, numeric_vars)
alpha <- list()
for (s in keys$scales) if (s$id %in% top) {
  alpha[[s$id]] <- psych::alpha(x[, unlist(s$items)], check.keys = FALSE, warnings = FALSE)$total$raw_alpha
}

by_gender <- list()
for (g in sort(unique(d$gender))) {
  rows <- which(d$gender == g)
  by_gender[[as.character(g)]] <- lapply(list(age = S$age, passive_avoidance = S$passive_avoidance,
                                              ft_trust = S$ft_trust), function(z) type2(z[rows]))
}

sample <- list(n = nrow(d), descriptives = desc, profile = profile, correlated = corr_vars,
               correlations = cors(S, corr_vars), alpha = alpha, by_gender = by_gender)

# ---------------------------------------------------------------- 2. Holzinger-Swineford
hs <- read.csv("tests/reference/data/hs_holzinger1939.csv")
facets <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
fit <- cfa("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", data = hs)
std <- standardizedSolution(fit)
sqrt_ave <- sapply(names(facets), function(f) sqrt(mean(std$est.std[std$op == "=~" & std$lhs == f]^2)))
hs_scores <- as.data.frame(lapply(facets, function(it) rowMeans(hs[, it])))
hs_ref <- list(sqrt_ave = as.list(sqrt_ave),
               alpha = lapply(facets, function(it) psych::alpha(hs[, it], warnings = FALSE)$total$raw_alpha),
               descriptives = lapply(hs_scores, type2),
               correlations = cors(hs_scores, names(facets)))

# ---------------------------------------------------------------- 3. mtcars with missing values
mt <- read.csv("tests/reference/data/desc_mtcars.csv")
mt_ref <- lapply(mt, type2)

writeLines(toJSON(list(sample = sample, holzinger = hs_ref, mtcars = mt_ref), auto_unbox = TRUE, digits = NA,
                  null = "null", na = "null", pretty = TRUE), "tests/reference/describe.json")
cat("wrote tests/reference/describe.json\n")
