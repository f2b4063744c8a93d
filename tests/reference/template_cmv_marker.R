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
write_json(list(cascade_marker = one(cascade), depletion_marker = one(depletion)),
           "tests/reference/template_cmv_marker.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
