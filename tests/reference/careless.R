# Reference values for the careless-response indices of `avoid-survey validate`
# (analysis/careless.py), computed with base R on psych::bfi (25 items, 2800 rows,
# exported to tests/reference/data/bfi.csv). The definitions are those of the R package
# careless (Yentes & Wilhelm), written out here because careless is not installed:
#   longstring: longest run of identical consecutive answers (careless::longstring);
#               a missing answer ends a run and is not a run itself
#   irv:        sd of the answered items (careless::irv, na.rm = TRUE)
#   mahad:      stats::mahalanobis on the complete cases, colMeans and cov of those
#   evenodd:    per scale, rowMeans of odd and even items (reverse keys recoded 7 - x),
#               within-person cor of the odd and even means over the 5 scales,
#               Spearman-Brown 2r / (1 + r) (careless >= 1.2.1 reports -1 times this)
# Run: Rscript tests/reference/careless.R  (writes tests/reference/careless.json)
library(jsonlite)
x <- as.matrix(read.csv("tests/reference/data/bfi.csv"))
longstr <- apply(x, 1, function(r) {
  e <- rle(r)
  v <- e$lengths[!is.na(e$values)]
  if (length(v)) max(v) else NA
})
irv <- apply(x, 1, function(r) if (sum(!is.na(r)) >= 2) sd(r, na.rm = TRUE) else NA)
cc <- complete.cases(x)
d2 <- rep(NA_real_, nrow(x))
d2[cc] <- mahalanobis(x[cc, ], colMeans(x[cc, ]), cov(x[cc, ]))
keys <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
xr <- x
xr[, keys] <- 7 - xr[, keys]
scales <- split(colnames(x), rep(1:5, each = 5))
odd <- sapply(scales, function(s) rowMeans(xr[, s[c(1, 3, 5)], drop = FALSE], na.rm = TRUE))
even <- sapply(scales, function(s) rowMeans(xr[, s[c(2, 4)], drop = FALSE], na.rm = TRUE))
odd[is.nan(odd)] <- NA
even[is.nan(even)] <- NA
eo <- sapply(seq_len(nrow(x)), function(i) {
  ok <- !is.na(odd[i, ]) & !is.na(even[i, ])
  if (sum(ok) < 3) return(NA)
  r <- suppressWarnings(cor(odd[i, ok], even[i, ok]))
  2 * r / (1 + r)
})
out <- list(source = "psych::bfi via tests/reference/data/bfi.csv", reverse = keys,
            qchisq_999_25 = qchisq(0.999, 25), n_complete = sum(cc),
            longstring = longstr, irv = irv, mahad = d2, evenodd = eo)
writeLines(toJSON(out, digits = NA, na = "null"), "tests/reference/careless.json")
