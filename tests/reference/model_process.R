# Reference values for fit_process (PROCESS models 1-8, 14, 15, 58, 59) and for the
# cluster-robust path SEs of fit_mediation.
# Run from the repository root:
#   python tests/reference/model_process_data.py    # data + our generator's resample indices
#   Rscript tests/reference/model_process.R          # -> tests/reference/model_process.json
# Every equation is an lm() fit; SEs from vcov / sandwich::vcovHC / sandwich::vcovCL; each
# equation's F from lmtest::waldtest with that covariance. The bootstrap replays the resamples
# our numpy generator drew (rows, or whole townships), so CIs and SEs must agree exactly.
suppressPackageStartupMessages({ library(jsonlite); library(sandwich); library(lmtest) })
options(digits = 15)
dd <- "tests/reference/data"
d <- read.csv(file.path(dd, "process_sample.csv"), colClasses = c(township = "character"))
idx_rows <- as.matrix(read.csv(file.path(dd, "process_idx_rows.csv"), header = FALSE))
idx_cl <- as.matrix(read.csv(file.path(dd, "process_idx_townships.csv"), header = FALSE,
                             colClasses = "character"))

A_W <- c(7, 8, 58, 59); B_W <- c(14, 15, 58, 59); D_W <- c(1, 2, 3, 5, 8, 15, 59)
MED <- c(4, 5, 6, 7, 8, 14, 15, 58, 59)

formulas <- function(cs) {
  x <- cs$x; y <- cs$y; m <- cs$m; w <- cs$w; z <- cs$z; cv <- cs$covariates; mo <- cs$model
  f <- list()
  for (j in seq_along(m)) {
    t <- c(x, if (mo == 6 && j > 1) m[1:(j - 1)], if (mo %in% A_W) c(w, paste0(x, ":", w)), cv)
    f[[m[j]]] <- as.formula(paste(m[j], "~", paste(t, collapse = " + ")))
  }
  t <- c(x, m)
  if (mo %in% c(B_W, D_W)) t <- c(t, w)
  if (mo %in% D_W) t <- c(t, paste0(x, ":", w))
  if (mo %in% B_W) t <- c(t, paste0(m, ":", w))
  if (mo %in% c(2, 3)) t <- c(t, z, paste0(x, ":", z))
  if (mo == 3) t <- c(t, paste0(w, ":", z), paste0(x, ":", w, ":", z))
  f[[".y"]] <- as.formula(paste(y, "~", paste(c(t, cv), collapse = " + ")))
  f
}

vc <- function(fit, se, data) {
  if (se == "classical") vcov(fit) else if (se == "cluster") vcovCL(fit, cluster = data$township)
  else vcovHC(fit, type = se)
}

modvals <- function(v, how) {
  u <- sort(unique(v))
  if (length(u) == 2) return(setNames(u, format(u)))
  if (how == "mean_sd") return(c("mean-1SD" = mean(v) - sd(v), mean = mean(v), "mean+1SD" = mean(v) + sd(v)))
  q <- quantile(v, c(.16, .5, .84), type = 7)
  setNames(unname(q), c("p16", "p50", "p84"))
}

# the effects bootstrapped (names as the Python test keys them)
effects <- function(cs, data, wv) {
  f <- formulas(cs); mo <- cs$model; x <- cs$x; m <- cs$m; w <- cs$w
  if (!(mo %in% MED)) return(numeric(0))
  co <- lapply(f, function(fo) coef(lm(fo, data = data)))
  out <- c()
  if (mo == 6) {
    k <- length(m); tot <- 0
    paths <- list()
    for (r in 1:k) paths <- c(paths, combn(k, r, simplify = FALSE))
    # PROCESS's listing: by the first mediator of the chain, then its length
    paths <- paths[order(sapply(paths, function(p) p[1]), lengths(paths),
                         sapply(paths, function(p) paste(sprintf("%02d", p), collapse = ".")))]
    for (p in paths) {
      e <- co[[m[p[1]]]][[x]]
      if (length(p) > 1) for (i in 2:length(p)) e <- e * co[[m[p[i]]]][[m[p[i - 1]]]]
      e <- e * co[[".y"]][[m[p[length(p)]]]]
      out[paste0("indirect|", paste(m[p], collapse = " -> "))] <- e
      tot <- tot + e
    }
    out["indirect|total"] <- tot
    return(standardized(icontrasts(out), data, x, cs$y))
  }
  for (mj in m) {
    a <- co[[mj]][[x]]; b <- co[[".y"]][[mj]]
    aw <- if (mo %in% A_W) co[[mj]][[paste0(x, ":", w)]] else 0
    bw <- if (mo %in% B_W) co[[".y"]][[paste0(mj, ":", w)]] else 0
    if (!(mo %in% c(A_W, B_W))) { out[paste0("indirect|", mj)] <- a * b; next }
    ce <- sapply(wv, function(v) (a + aw * v) * (b + bw * v))
    for (l in names(wv)) out[paste0("indirect|", mj, "|", l)] <- ce[[l]]
    if (mo %in% c(7, 8)) out[paste0("index|", mj)] <- aw * b
    if (mo %in% c(14, 15)) out[paste0("index|", mj)] <- a * bw
    if (mo %in% c(58, 59)) {
      if (length(wv) == 2) {
        out[paste0("index|", mj)] <- (ce[[2]] - ce[[1]]) / (wv[[2]] - wv[[1]])
      } else {
        out[paste0("partial|", mj, "|first_stage")] <- aw * b
        out[paste0("partial|", mj, "|second_stage")] <- a * bw
        out[paste0("partial|", mj, "|product")] <- aw * bw
        for (pr in combn(names(wv), 2, simplify = FALSE))
          out[paste0("contrast|", mj, "|", pr[2], "-", pr[1])] <- ce[[pr[2]]] - ce[[pr[1]]]
      }
    }
  }
  if (mo %in% c(4, 5) && length(m) > 1) {
    out["indirect|total"] <- sum(out[paste0("indirect|", m)])
    out <- icontrasts(out)
  }
  if (mo == 4) out <- standardized(out, data, x, cs$y)
  out
}
# completely (ab sd(x)/sd(y)) and partially (ab/sd(y)) standardized indirect effects
standardized <- function(out, data, x, y) {
  ind <- grep("^indirect\\|", names(out), value = TRUE)
  for (nm in ind) {
    v <- sub("indirect|", "", nm, fixed = TRUE)
    out[paste0("std|", v, "|completely")] <- out[[nm]] * sd(data[[x]]) / sd(data[[y]])
    out[paste0("std|", v, "|partially")] <- out[[nm]] / sd(data[[y]])
  }
  out
}
# pairwise differences of the specific indirect effects, in their listed order
icontrasts <- function(out) {
  sp <- setdiff(grep("^indirect\\|", names(out), value = TRUE), "indirect|total")
  if (length(sp) > 1) for (i in 1:(length(sp) - 1)) for (j in (i + 1):length(sp))
    out[paste0("icontrast|", sub("indirect|", "", sp[i], fixed = TRUE), "|",
               sub("indirect|", "", sp[j], fixed = TRUE))] <- out[[sp[i]]] - out[[sp[j]]]
  out
}

lincomb <- function(b, V, g, df) {
  est <- sum(g * b); se <- sqrt(drop(t(g) %*% V %*% g)); tc <- qt(.975, df)
  list(estimate = est, se = se, t = est / se, p = 2 * pt(-abs(est / se), df),
       ci_lower = est - tc * se, ci_upper = est + tc * se)
}

run_case <- function(cs) {
  f <- formulas(cs); mo <- cs$model; x <- cs$x; w <- cs$w; z <- cs$z
  res <- list(args = cs)
  paths <- list()
  for (nm in names(f)) {
    fit <- lm(f[[nm]], data = d)
    V <- vc(fit, cs$se, d)
    s <- summary(fit)
    tc <- qt(.975, fit$df.residual)
    b <- coef(fit); se <- sqrt(diag(V))
    wt <- waldtest(fit, vcov = V, test = "F")
    paths[[if (nm == ".y") cs$y else nm]] <- list(
      terms = names(b), estimate = unname(b), se = unname(se), t = unname(b / se),
      p = unname(2 * pt(-abs(b / se), fit$df.residual)), ci_lower = unname(b - tc * se),
      ci_upper = unname(b + tc * se), r2 = s$r.squared, mse = s$sigma^2, f = wt$F[2], df1 = wt$Df[2] * -1,
      df2 = fit$df.residual, fp = wt$`Pr(>F)`[2],
      # highest-order products: R2 change when dropped, F under the same covariance
      inter = {
        tl <- attr(terms(fit), "term.labels"); ord <- attr(terms(fit), "order")
        top <- tl[ord == max(ord) & max(ord) > 1]
        lapply(setNames(top, top), function(tm) {
          f0 <- update(fit, as.formula(paste(". ~ . -", tm)))
          w0 <- waldtest(fit, f0, vcov = V, test = "F")
          list(r2_change = s$r.squared - summary(f0)$r.squared, f = w0$F[2], p = w0$`Pr(>F)`[2],
               anova_f = anova(f0, fit)$F[2])
        })
      })
  }
  res$paths <- paths
  if (mo %in% c(4, 6)) {
    ft <- lm(as.formula(paste(cs$y, "~", paste(c(x, cs$covariates), collapse = " + "))), data = d)
    res$total <- lincomb(coef(ft), vc(ft, cs$se, d), as.numeric(names(coef(ft)) == x), ft$df.residual)
  }
  wv <- if (!is.null(w)) modvals(d[[w]], cs$moderator_values) else NULL
  zv <- if (!is.null(z)) modvals(d[[z]], cs$moderator_values) else NULL
  res$w_values <- unname(wv); res$z_values <- unname(zv)
  fy <- lm(f[[".y"]], data = d); by <- coef(fy); Vy <- vc(fy, cs$se, d); dfy <- fy$df.residual
  g0 <- function(terms_w) { g <- setNames(rep(0, length(by)), names(by)); for (t in names(terms_w)) g[t] <- terms_w[[t]]; g }
  if (mo %in% D_W) {
    ce <- list()
    for (l in names(wv)) for (lz in if (is.null(zv)) "" else names(zv)) {
      tw <- list(); tw[[x]] <- 1; tw[[paste0(x, ":", w)]] <- wv[[l]]
      if (mo %in% c(2, 3)) tw[[paste0(x, ":", z)]] <- zv[[lz]]
      if (mo == 3) tw[[paste0(x, ":", w, ":", z)]] <- wv[[l]] * zv[[lz]]
      ce[[length(ce) + 1]] <- lincomb(by, Vy, g0(tw), dfy)
    }
    res$conditional <- ce
  } else {
    res$direct <- lincomb(by, Vy, g0(setNames(list(1), x)), dfy)
  }
  if (mo %in% c(1, 3)) {
    i0 <- if (mo == 1) x else paste0(x, ":", w)
    i1 <- if (mo == 1) paste0(x, ":", w) else paste0(x, ":", w, ":", z)
    tc <- qt(.975, dfy)
    A <- by[[i1]]^2 - tc^2 * Vy[i1, i1]; B <- 2 * (by[[i0]] * by[[i1]] - tc^2 * Vy[i0, i1])
    C <- by[[i0]]^2 - tc^2 * Vy[i0, i0]; disc <- B^2 - 4 * A * C
    res$jn <- if (disc >= 0) sort(c((-B - sqrt(disc)) / (2 * A), (-B + sqrt(disc)) / (2 * A))) else numeric(0)
    if (mo == 3) res$cond_interaction <- lapply(zv, function(v) {
      tw <- list(); tw[[i0]] <- 1; tw[[i1]] <- v; lincomb(by, Vy, g0(tw), dfy) })
  }
  if (mo %in% MED) {
    est <- effects(cs, d, wv)
    B <- nrow(idx_rows)
    draws <- t(sapply(1:B, function(b) {
      rows <- if (cs$se == "cluster") unlist(lapply(idx_cl[b, ], function(l) which(d$township == l)))
              else idx_rows[b, ]
      effects(cs, d[rows, ], wv)
    }))
    if (length(est) == 1) draws <- t(draws)
    colnames(draws) <- names(est)
    res$effects <- as.list(est)
    if (!is.null(res$total)) {
      ind <- est[grepl("^indirect\\|", names(est))]
      res$proportion <- as.list(ind / res$total$estimate)
    }
    res$boot_se <- as.list(apply(draws, 2, sd))
    res$ci_lower <- as.list(apply(draws, 2, quantile, .025, type = 7))
    res$ci_upper <- as.list(apply(draws, 2, quantile, .975, type = 7))
  }
  res
}

base <- list(x = "pressure", y = "passive", covariates = c("age", "female"), se = "classical",
             moderator_values = "percentiles")
case <- function(...) modifyList(base, list(...))
cases <- list(
  m1 = case(model = 1, w = "trust"),
  m1_hc3 = case(model = 1, w = "trust", se = "HC3"),
  m1_cluster = case(model = 1, w = "trust", se = "cluster"),
  m2 = case(model = 2, w = "trust", z = "innov"),
  m3 = case(model = 3, w = "trust", z = "innov"),
  m4 = case(model = 4, m = c("trust", "risk")),
  m5 = case(model = 5, m = c("trust"), w = "innov"),
  m6 = case(model = 6, m = c("risk", "trust", "power")),
  m7 = case(model = 7, m = c("trust"), w = "innov"),
  m7_cluster = case(model = 7, m = c("trust"), w = "innov", se = "cluster"),
  m7_meansd = case(model = 7, m = c("trust"), w = "innov", moderator_values = "mean_sd"),
  m8 = case(model = 8, m = c("trust"), w = "innov"),
  m14 = case(model = 14, m = c("trust", "risk"), w = "innov"),
  m15 = case(model = 15, m = c("trust"), w = "innov"),
  m58 = case(model = 58, m = c("trust"), w = "innov"),
  m59_dich = case(model = 59, m = c("trust"), w = "party"),
  m59 = case(model = 59, m = c("risk"), w = "trust"))
out <- lapply(cases, run_case)

# fit_mediation with a cluster: path SEs as sandwich::vcovCL (HC1, G/(G-1))
med <- list()
for (fo in list(trust ~ pressure + age, passive ~ pressure + trust + age, passive ~ pressure + age)) {
  fit <- lm(fo, data = d)
  med[[length(med) + 1]] <- list(terms = names(coef(fit)), estimate = unname(coef(fit)),
                                 se = unname(sqrt(diag(vcovCL(fit, cluster = d$township)))))
}
out$mediation_cluster_paths <- med
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null"),
           "tests/reference/model_process.json")
cat("wrote tests/reference/model_process.json\n")
