# Reference values for `avoid-survey compare` (analysis/stats/compare/).
# Run from the repository root: Rscript tests/reference/compare.R  (writes compare.json and
# tests/reference/data/cmp_*.csv)
#
# R 4.2: t.test (var.equal TRUE / FALSE, paired), car::leveneTest (center = median),
# oneway.test, aov + TukeyHSD, chisq.test (correct FALSE / TRUE), fisher.test,
# wilcox.test (exact = FALSE, correct = TRUE), kruskal.test. Written here by formula:
# Games-Howell, eta^2 and omega^2, Cramer's V, the noncentral-t CI of Cohen's d, and the
# studentized-range quantile solved to 1e-12 (qtukey itself stops at 1e-4).
suppressPackageStartupMessages({library(jsonlite); library(car)})

# data sets: mtcars (two missing mpg), PlantGrowth, InsectSprays, sleep (wide), our sample
mt <- mtcars[, c("mpg", "hp", "am", "vs", "cyl", "gear")]
mt$mpg[c(3, 20)] <- NA
write.csv(mt, "tests/reference/data/cmp_mtcars.csv", row.names = FALSE, na = "")
write.csv(PlantGrowth, "tests/reference/data/cmp_plantgrowth.csv", row.names = FALSE)
write.csv(InsectSprays, "tests/reference/data/cmp_insectsprays.csv", row.names = FALSE)
sl <- data.frame(id = 1:10, drug1 = sleep$extra[sleep$group == 1], drug2 = sleep$extra[sleep$group == 2])
write.csv(sl, "tests/reference/data/cmp_sleep.csv", row.names = FALSE)
sample <- read.csv("tests/reference/data/describe_sample.csv", fileEncoding = "UTF-8-BOM")

qtukey_exact <- function(k, df, level = 0.95)
  uniroot(function(q) ptukey(q, k, df) - level, c(0.5, 50), tol = 1e-13)$root
d_ci <- function(t, df, scale, level = 0.95) {
  f <- function(ncp, q) pt(t, df, ncp) - q
  a <- (1 - level) / 2
  c(uniroot(f, c(t - 30, t + 30), q = 1 - a, tol = 1e-13)$root,
    uniroot(f, c(t - 30, t + 30), q = a, tol = 1e-13)$root) * scale
}
clean <- function(y, g) { ok <- !is.na(y) & !is.na(g); list(y = y[ok], g = factor(g[ok])) }

two_groups <- function(y, g) {
  z <- clean(y, g); y <- z$y; g <- z$g
  st <- t.test(y ~ g, var.equal = TRUE); we <- t.test(y ~ g)
  lv <- leveneTest(y ~ g)  # center = median
  n <- as.vector(table(g)); m <- tapply(y, g, mean); s <- tapply(y, g, sd)
  sp <- sqrt(((n[1] - 1) * s[1]^2 + (n[2] - 1) * s[2]^2) / (sum(n) - 2))
  wt <- wilcox.test(y ~ g, exact = FALSE, correct = TRUE)
  list(n = n, mean = unname(m), sd = unname(s),
       student = list(t = unname(st$statistic), df = unname(st$parameter), p = st$p.value, ci = as.vector(st$conf.int)),
       welch = list(t = unname(we$statistic), df = unname(we$parameter), p = we$p.value, ci = as.vector(we$conf.int)),
       levene = list(f = lv[1, "F value"], df1 = lv[1, "Df"], df2 = lv[2, "Df"], p = lv[1, "Pr(>F)"]),
       d = unname((m[1] - m[2]) / sp),
       d_ci = d_ci(unname(st$statistic), sum(n) - 2, sqrt(1 / n[1] + 1 / n[2])),
       wilcox = list(w = unname(wt$statistic), p = wt$p.value))
}

games_howell <- function(y, g) {
  lev <- levels(g); k <- length(lev); out <- list()
  n <- tapply(y, g, length); m <- tapply(y, g, mean); v <- tapply(y, g, var)
  for (i in 1:(k - 1)) for (j in (i + 1):k) {
    se <- sqrt(v[i] / n[i] + v[j] / n[j]); diff <- m[j] - m[i]
    df <- (v[i] / n[i] + v[j] / n[j])^2 / ((v[i] / n[i])^2 / (n[i] - 1) + (v[j] / n[j])^2 / (n[j] - 1))
    t <- diff / se; half <- qtukey_exact(k, df) / sqrt(2) * se
    out[[length(out) + 1]] <- list(pair = paste(lev[j], lev[i], sep = "-"), diff = unname(diff), se = unname(se),
                                   t = unname(t), df = unname(df),
                                   p = ptukey(abs(unname(t)) * sqrt(2), k, unname(df), lower.tail = FALSE),
                                   lwr = unname(diff - half), upr = unname(diff + half))
  }
  out
}

oneway <- function(y, g) {
  z <- clean(y, g); y <- z$y; g <- z$g
  fit <- aov(y ~ g); tab <- summary(fit)[[1]]
  ssb <- tab[1, "Sum Sq"]; ssw <- tab[2, "Sum Sq"]; msw <- tab[2, "Mean Sq"]; dfb <- tab[1, "Df"]
  tk <- TukeyHSD(fit)$g
  k <- nlevels(g); q <- qtukey_exact(k, tab[2, "Df"])
  n <- tapply(y, g, length)
  se <- sapply(rownames(tk), function(r) { p <- strsplit(r, "-")[[1]]; sqrt(msw / 2 * (1 / n[p[1]] + 1 / n[p[2]])) })
  wa <- oneway.test(y ~ g); lv <- leveneTest(y ~ g); kw <- kruskal.test(y ~ g)
  list(n = as.vector(n), mean = as.vector(tapply(y, g, mean)), sd = as.vector(tapply(y, g, sd)),
       f = tab[1, "F value"], df1 = dfb, df2 = tab[2, "Df"], p = tab[1, "Pr(>F)"],
       eta2 = ssb / (ssb + ssw), omega2 = (ssb - dfb * msw) / (ssb + ssw + msw),
       welch = list(f = unname(wa$statistic), df1 = unname(wa$parameter[1]), df2 = unname(wa$parameter[2]), p = wa$p.value),
       levene = list(f = lv[1, "F value"], df1 = lv[1, "Df"], df2 = lv[2, "Df"], p = lv[1, "Pr(>F)"]),
       tukey = list(pair = rownames(tk), diff = unname(tk[, "diff"]), p = unname(tk[, "p adj"]),
                    lwr_r = unname(tk[, "lwr"]), upr_r = unname(tk[, "upr"]),
                    lwr = unname(tk[, "diff"] - q * se), upr = unname(tk[, "diff"] + q * se)),
       games_howell = games_howell(y, g),
       kruskal = list(h = unname(kw$statistic), df = unname(kw$parameter), p = kw$p.value))
}

crosstab <- function(a, b) {
  ok <- !is.na(a) & !is.na(b); tab <- table(a[ok], b[ok])
  pe <- suppressWarnings(chisq.test(tab, correct = FALSE))
  out <- list(chisq = unname(pe$statistic), df = unname(pe$parameter), p = pe$p.value,
              v = sqrt(unname(pe$statistic) / (sum(tab) * (min(dim(tab)) - 1))),
              below5 = sum(pe$expected < 5), min_expected = min(pe$expected))
  if (all(dim(tab) == 2)) {
    ya <- chisq.test(tab)
    out$yates <- list(chisq = unname(ya$statistic), p = ya$p.value)
    out$fisher_p <- fisher.test(tab)$p.value
  }
  out
}

pt_ <- t.test(sl$drug1, sl$drug2, paired = TRUE)
dd <- sl$drug1 - sl$drug2
ref <- list(
  mtcars_am = two_groups(mt$mpg, mt$am),
  mtcars_cyl = oneway(mt$mpg, mt$cyl),
  plantgrowth = oneway(PlantGrowth$weight, PlantGrowth$group),
  insectsprays = oneway(InsectSprays$count, InsectSprays$spray),
  am_vs = crosstab(mt$am, mt$vs),
  cyl_gear = crosstab(mt$cyl, mt$gear),
  sleep = list(t = unname(pt_$statistic), df = unname(pt_$parameter), p = pt_$p.value, ci = as.vector(pt_$conf.int),
               mean_difference = mean(dd), dz = mean(dd) / sd(dd),
               dz_ci = d_ci(unname(pt_$statistic), length(dd) - 1, 1 / sqrt(length(dd)))),
  sample_age_gender = two_groups(sample$age, sample$gender),
  sample_tenure_gender = two_groups(sample$tenure_years, sample$gender),
  sample_age_rank = oneway(sample$age, sample$rank),
  sample_hours_education = oneway(sample$weekly_hours, sample$education),
  sample_gender_party = crosstab(sample$gender, sample$party_member),
  sample_gender_rank = crosstab(sample$gender, sample$rank))

writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           "tests/reference/compare.json")
cat("wrote tests/reference/compare.json\n")
