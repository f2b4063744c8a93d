# Reference values for avoid-survey reliability (tests/test_reliability.py).
# Run from the repository root:  Rscript tests/reference/reliability.R
# Reads tests/reference/data/{bfi,ability,hs_holzinger1939,reliability_sample}.csv, writes
# tests/reference/reliability.json.
# R 4.2, psych 2.2.9, GPArotation, jsonlite. Data: psych::bfi (reverse-keyed items, NAs),
# psychTools::ability (0/1 items, NAs), lavaan::HolzingerSwineford1939 (no NAs).
# Writes the ability data once (items renamed reason.4 -> reason_4: ids may not hold dots).
suppressPackageStartupMessages({library(psych); library(GPArotation); library(jsonlite)})

if (!file.exists("tests/reference/data/ability.csv")) {
  a <- as.data.frame(psychTools::ability)
  names(a) <- gsub(".", "_", names(a), fixed = TRUE)
  write.csv(a, "tests/reference/data/ability.csv", row.names = FALSE, na = "")
}

# One scale or facet: x already reverse-recoded (min + max - x, as our instrument keys say).
# Rows with no answer at all are dropped first (our n = respondents answering >= 1 item),
# so the Feldt interval uses the same n; listwise = complete rows only.
one_scale <- function(x, nf = 1, use = "pairwise") {
  x <- x[rowSums(!is.na(x)) > 0, , drop = FALSE]
  if (use == "listwise") x <- na.omit(x)
  a <- suppressWarnings(psych::alpha(x, warnings = FALSE))
  res <- list(n = nrow(x), k = ncol(x),
              alpha = a$total$raw_alpha, alpha_std = a$total$std.alpha, lambda6 = a$total[["G6(smc)"]],
              average_r = a$total$average_r, alpha_se = a$total$ase, mean = a$total$mean, sd = a$total$sd,
              feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]),
              items = list())
  for (i in seq_len(ncol(x))) {
    nm <- colnames(x)[i]
    res$items[[nm]] <- list(n = a$item.stats$n[i], mean = a$item.stats$mean[i], sd = a$item.stats$sd[i],
                            r_drop = a$item.stats$r.drop[i], raw_r = a$item.stats$raw.r[i],
                            alpha_if_deleted = a$alpha.drop$raw_alpha[i],
                            alpha_std_if_deleted = a$alpha.drop$std.alpha[i],
                            lambda6_if_deleted = a$alpha.drop[["G6(smc)"]][i])
  }
  o1 <- suppressMessages(suppressWarnings(omega(x, nfactors = 1, plot = FALSE)))
  res$omega_total <- o1$omega.tot
  if (nf >= 2) {
    o <- suppressMessages(suppressWarnings(omega(x, nfactors = nf, plot = FALSE)))
    res$omega_h <- o$omega_h
    res$omega_total_sl <- o$omega.tot
  }
  res
}

dataset <- function(d, facets, reverse, lo, hi, parent) {
  for (v in reverse) d[[v]] <- lo + hi - d[[v]]
  out <- list()
  for (use in c("pairwise", "listwise")) {
    sc <- list()
    all_items <- unlist(facets)
    sc[[parent]] <- one_scale(d[, all_items], nf = length(facets), use = use)
    for (f in names(facets)) sc[[f]] <- one_scale(d[, facets[[f]], drop = FALSE], use = use)
    out[[use]] <- sc
  }
  out
}

bfi <- read.csv("tests/reference/data/bfi.csv")
bfi_facets <- list(agree = paste0("A", 1:5), conscientious = paste0("C", 1:5), extraversion = paste0("E", 1:5),
                   neuroticism = paste0("N", 1:5), openness = paste0("O", 1:5))
ab <- read.csv("tests/reference/data/ability.csv")
ab_facets <- list(reason = c("reason_4", "reason_16", "reason_17", "reason_19"),
                  letter = c("letter_7", "letter_33", "letter_34", "letter_58"),
                  matrix = c("matrix_45", "matrix_46", "matrix_47", "matrix_55"),
                  rotate = c("rotate_3", "rotate_4", "rotate_6", "rotate_8"))
hs <- read.csv("tests/reference/data/hs_holzinger1939.csv")
hs_facets <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))

ref <- list(
  meta = list(R = R.version.string, psych = as.character(packageVersion("psych")),
              GPArotation = as.character(packageVersion("GPArotation"))),
  bfi = dataset(bfi, bfi_facets, c("A1", "C4", "C5", "E1", "E2", "O2", "O5"), 1, 6, "big_five"),
  ability = dataset(ab, ab_facets, character(0), 0, 1, "ability"),
  holzinger = dataset(hs, hs_facets, character(0), 0, 0, "mental"),
  # two facets: psych::schmid's option = "equal" (g loadings sqrt(|phi_12|) for both factors)
  holzinger2 = dataset(hs, hs_facets[c("visual", "textual")], character(0), 0, 0, "verbal_visual"))

# Our sample data (sample_data/responses.csv from `avoid-survey simulate`, 1,189 officials):
# a snapshot of its item columns and township_id is kept in
# tests/reference/data/reliability_sample.csv so the fixture does not move when the sample is
# regenerated. The bundled instrument's keys (blame-avoidance-core) come from
# tests/reference/reliability_sample_keys.json (written from the instrument by Python).
snap <- "tests/reference/data/reliability_sample.csv"
keys <- fromJSON("tests/reference/reliability_sample_keys.json", simplifyVector = FALSE)
if (!file.exists(snap) && file.exists("sample_data/responses.csv")) {
  d0 <- read.csv("sample_data/responses.csv", fileEncoding = "UTF-8-BOM")
  cols <- intersect(c("respondent_id", "township_id", unique(unlist(lapply(keys$scales, function(s) s$items)))), names(d0))
  write.csv(d0[, cols], snap, row.names = FALSE, na = "")
}
if (file.exists(snap)) {
  d <- read.csv(snap)
  for (v in unlist(keys$reverse)) d[[v]] <- keys$min + keys$max - d[[v]]
  out <- list()
  for (use in c("pairwise", "listwise")) {
    sc <- list()
    for (s in keys$scales) {
      items <- unlist(s$items)
      if (!all(items %in% names(d))) next
      sc[[s$id]] <- one_scale(d[, items, drop = FALSE], nf = max(1, length(s$facets)), use = use)
    }
    out[[use]] <- sc
  }
  ref$sample <- out
}

writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           "tests/reference/reliability.json")
cat("wrote tests/reference/reliability.json\n")
