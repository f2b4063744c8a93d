# Reference values for avoid-survey efa (tests/test_efa.py).
# Run from the repository root:  Rscript tests/reference/efa.R
# Writes tests/reference/data/{bfi,holzinger_x1_x9}.csv and tests/reference/efa.json.
# R 4.2, psych 2.2.9, GPArotation 2022.10.2, lavaan (data only), jsonlite.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(jsonlite)})

bfi_items <- psych::bfi[, 1:25]
hs <- lavaan::HolzingerSwineford1939[, paste0("x", 1:9)]
write.csv(bfi_items, "tests/reference/data/bfi.csv", row.names = FALSE, na = "")
write.csv(hs, "tests/reference/data/holzinger_x1_x9.csv", row.names = FALSE, na = "")

mat <- function(m) {  # matrix -> list of rows keyed by colnames
  m <- unclass(m); out <- list()
  for (i in seq_len(nrow(m))) out[[rownames(m)[i]]] <- as.list(setNames(m[i, ], colnames(m)))
  out
}

one_fit <- function(x, nf, fm, rot, use = "pairwise") {
  f <- suppressWarnings(fa(x, nfactors = nf, fm = fm, rotate = rot, use = use, warnings = FALSE))
  list(fm = fm, rotate = rot, nfactors = nf, use = use,
       factors = colnames(f$loadings),
       loadings = mat(f$loadings),
       communality = as.list(f$communality),
       uniquenesses = as.list(f$uniquenesses),
       Phi = if (is.null(f$Phi)) NULL else mat(f$Phi),
       Vaccounted = mat(f$Vaccounted),
       values = f$values, e.values = f$e.values)
}

dataset <- function(x, nf, name) {
  R <- cor(x, use = "pairwise")
  k <- KMO(R)
  b <- cortest.bartlett(R, n = nrow(x))
  Rl <- cor(x, use = "complete.obs")
  kl <- KMO(Rl)
  bl <- cortest.bartlett(Rl, n = sum(complete.cases(x)))
  fits <- list()
  for (spec in list(c("minres", "oblimin"), c("ml", "varimax"), c("pa", "promax"),
                    c("minres", "geominQ"), c("minres", "quartimax"), c("minres", "none"),
                    c("ml", "oblimin"), c("pa", "varimax"))) {
    fits[[paste(spec, collapse = "/")]] <- one_fit(x, nf, spec[1], spec[2])
  }
  fits[["minres/oblimin/listwise"]] <- one_fit(x, nf, "minres", "oblimin", use = "complete.obs")
  # parallel analysis (psych defaults but fa = "fa"): observed values do not depend on the RNG
  nfact <- c()
  for (seed in 1:5) {
    set.seed(seed)
    pa <- fa.parallel(x, fa = "fa", n.iter = 20, plot = FALSE)
    nfact <- c(nfact, pa$nfact)
  }
  set.seed(42)
  pa <- fa.parallel(x, fa = "fa", n.iter = 20, plot = FALSE)
  list(name = name, n = nrow(x), n_complete = sum(complete.cases(x)), items = colnames(x),
       kmo = list(overall = k$MSA, items = as.list(k$MSAi)),
       bartlett = list(chisq = b$chisq, df = b$df, p = b$p.value),
       kmo_listwise = list(overall = kl$MSA, items = as.list(kl$MSAi)),
       bartlett_listwise = list(chisq = bl$chisq, df = bl$df, p = bl$p.value),
       fits = fits,
       parallel = list(fa_values = pa$fa.values, sim_fa_mean = pa$fa.sim, nfact_seed42 = pa$nfact,
                       nfact_seeds_1_5 = nfact, n_iter = 20))
}

# a Heywood case: 4 factors on ten bfi items (C5's communality reaches the bound)
heywood <- one_fit(bfi_items[, c(paste0("A", 1:5), paste0("C", 1:5))], 4, "minres", "oblimin")

out <- list(psych = as.character(packageVersion("psych")),
            GPArotation = as.character(packageVersion("GPArotation")),
            R = R.version.string,
            bfi = dataset(bfi_items, 5, "psych::bfi[, 1:25]"),
            holzinger = dataset(hs, 3, "lavaan::HolzingerSwineford1939[, x1:x9]"),
            heywood = heywood)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           "tests/reference/efa.json")
