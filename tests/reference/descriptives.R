# Reference values for analysis/descriptives.py: pairwise-complete Pearson r and cor.test p.
# Run: Rscript tests/reference/descriptives.R  (writes descriptives.json and data/desc_mtcars.csv)
d <- mtcars[, c("mpg", "hp", "wt", "qsec")]
d$hp[c(3, 7, 11)] <- NA
d$qsec[c(5, 20)] <- NA
write.csv(d, "tests/reference/data/desc_mtcars.csv", row.names = FALSE, na = "")
v <- names(d)
out <- list(mean = sapply(d, mean, na.rm = TRUE), sd = sapply(d, sd, na.rm = TRUE),
            n = sapply(d, function(x) sum(!is.na(x))), r = list(), p = list())
for (a in v) for (b in v) if (a != b) {
  ct <- cor.test(d[[a]], d[[b]])  # complete pairs
  out$r[[paste(a, b)]] <- unname(ct$estimate)
  out$p[[paste(a, b)]] <- ct$p.value
}
writeLines(jsonlite::toJSON(out, digits = NA, auto_unbox = TRUE), "tests/reference/descriptives.json")
