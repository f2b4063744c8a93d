# Reference values for the template cmv_marker_correction (analysis/templates/): its two models
# with the marker-anchored method factor (equal loadings 'lm', a free first loading started at
# 0.2 by lavaan's repeated-term modifiers, orthogonality fixed by 0*), fitted by lavaan on the
# bundled sample (responses joined with the township file, listwise ML), as the template fits
# them. The model texts are the templates' syntax with the scale lines the tool appends.
# Run from the repository root:
#   Rscript tests/reference/template_cmv_marker.R  -> tests/reference/template_cmv_marker.json
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
resp <- read.csv("sample_data/responses.csv", fileEncoding = "UTF-8-BOM")
units <- read.csv("sample_data/units.csv", fileEncoding = "UTF-8-BOM")
d <- merge(resp, units[, c("township_id", "hard_target_pct")], by = "township_id", all.x = TRUE, sort = FALSE)
scales <- c(
  ap_escalation = "ap_esc1 + ape2 + ape3 + ape4", tournament_pressure = "tour1 + tour2 + tour3",
  indicator_rigidity = "rigid1 + rigid2 + rig3", risk_uncertainty = "unc1 + unc2 + unc3",
  resource_shortage = "rsc1 + rsc2 + rsc3", escalation_avoidance = "esa1 + esa2 + esa3 + esa4 + esa5",
  marker = "mk1 + mk2 + mk3", attention_depletion = "dep1 + dep2 + dep3",
  innovation_willingness = "innov1 + inw2 + innov3", pa_agenda = "pag1 + pa_agd2 + pag3",
  pa_symbolic = "pa_sym1 + pas2 + pas3 + pas4", pa_compromise = "pac1 + pac2 + pac3",
  passive_avoidance = "pa_agenda + pa_symbolic + pa_compromise", superior_support = "sup1 + sup2 + sup3 + sup4",
  innovation_behaviour = "inb1 + inb2 + inb3")
meas <- function(ids) paste(sprintf("%s =~ %s", ids, scales[ids]), collapse = "\n")
method <- function(items) paste0("cmv =~ NA*mk1 + start(0.2)*mk1 + ", paste0("lm*", items, collapse = " + "))
cascade <- paste(
  "ap_escalation ~ a*tournament_pressure + indicator_rigidity + risk_uncertainty + resource_shortage + hard_target_pct",
  "escalation_avoidance ~ c*tournament_pressure + b*ap_escalation + indicator_rigidity + risk_uncertainty + resource_shortage",
  "indirect := a*b",
  method(c("mk1", "mk2", "mk3", "tour1", "tour2", "tour3", "ap_esc1", "ape2", "ape3", "ape4", "esa1", "esa2", "esa3",
           "esa4", "esa5", "rigid1", "rigid2", "rig3", "unc1", "unc2", "unc3", "rsc1", "rsc2", "rsc3")),
  "cmv ~~ 1*cmv",
  "cmv ~~ 0*marker + 0*tournament_pressure + 0*indicator_rigidity + 0*risk_uncertainty + 0*resource_shortage + 0*hard_target_pct",
  "marker ~~ 0*tournament_pressure + 0*indicator_rigidity + 0*risk_uncertainty + 0*resource_shortage + 0*hard_target_pct",
  meas(c("ap_escalation", "tournament_pressure", "indicator_rigidity", "risk_uncertainty", "resource_shortage",
         "escalation_avoidance", "marker")), sep = "\n")
depletion <- paste(
  "attention_depletion ~ a*ap_traces + innovation_willingness + passive_avoidance + superior_support",
  "innovation_behaviour ~ c*ap_traces + b*attention_depletion + innovation_willingness + passive_avoidance + superior_support",
  "indirect := a*b",
  "ap_traces =~ apt4 + apt1 + apt2 + apt3",
  method(c("mk1", "mk2", "mk3", "apt1", "apt2", "apt3", "apt4", "dep1", "dep2", "dep3", "inb1", "inb2", "inb3",
           "innov1", "inw2", "innov3", "sup1", "sup2", "sup3", "sup4", "pag1", "pa_agd2", "pag3", "pa_sym1", "pas2",
           "pas3", "pas4", "pac1", "pac2", "pac3")),
  "cmv ~~ 1*cmv",
  "cmv ~~ 0*marker + 0*ap_traces + 0*innovation_willingness + 0*superior_support",
  "marker ~~ 0*ap_traces + 0*innovation_willingness + 0*superior_support",
  meas(c("attention_depletion", "innovation_willingness", "pa_agenda", "pa_symbolic", "pa_compromise",
         "passive_avoidance", "superior_support", "innovation_behaviour", "marker")), sep = "\n")
one <- function(model) {
  f <- sem(model, data = d, missing = "listwise")
  pe <- parameterEstimates(f)
  keep <- pe$op %in% c("~", ":=") | (pe$op == "=~" & pe$lhs == "cmv" & pe$rhs == "mk1")
  list(n = lavInspect(f, "nobs"), converged = lavInspect(f, "converged"),
       fit = as.list(fitMeasures(f, c("chisq", "df", "cfi", "tli", "rmsea", "srmr"))),
       parameters = lapply(which(keep), function(k) list(lhs = pe$lhs[k], op = pe$op[k], rhs = pe$rhs[k],
                                                          est = pe$est[k], se = pe$se[k])))
}
# `cmv --marker marker` (a marker scale): Lindell-Whitney with the marker scale's mean as the marker,
# on the rows complete on the three scales' items and the marker items
sc_items <- list(tournament_pressure = c("tour1", "tour2", "tour3"),
                 ap_escalation = c("ap_esc1", "ape2", "ape3", "ape4"),
                 escalation_avoidance = c("esa1", "esa2", "esa3", "esa4", "esa5"))
rev_code <- function(v, item) if (item %in% c("ape4")) 6 - v else v   # ape4 is reverse-keyed (1-5)
cc <- resp[complete.cases(resp[, c(unlist(sc_items), "mk1", "mk2", "mk3")]), ]
sc <- sapply(sc_items, function(it) rowMeans(sapply(it, function(i) rev_code(cc[[i]], i))))
mk <- rowMeans(cc[, c("mk1", "mk2", "mk3")])
rm_all <- cor(mk, sc)[1, ]
r_m <- min(rm_all[rm_all > 0])
pairs <- list()
for (ab in list(c("tournament_pressure", "ap_escalation"), c("tournament_pressure", "escalation_avoidance"),
                c("ap_escalation", "escalation_avoidance"))) {
  r <- cor(sc[, ab[1]], sc[, ab[2]]); rc <- (r - r_m) / (1 - r_m)
  t <- rc / sqrt((1 - rc^2) / (nrow(cc) - 3))
  pairs[[length(pairs) + 1]] <- list(a = ab[1], b = ab[2], r = r, r_corrected = rc, p = 2 * pt(-abs(t), nrow(cc) - 3))
}
lw <- list(n = nrow(cc), r_m = r_m, marker_correlations = as.list(rm_all), pairs = pairs)
write_json(list(cascade_marker = one(cascade), depletion_marker = one(depletion), lindell_whitney_scale = lw),
           "tests/reference/template_cmv_marker.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
