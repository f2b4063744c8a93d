# Reference values for tests/test_sem_fiml_mediation.py (lavaan 0.6-14): the latent mediation model
# of the bundled template sem_pressure_trust_avoidance (61 items, second-order factors, 305 patterns of
# missing answers) by full-information ML, on the bundled sample. Run from the repository root:
#   Rscript tests/reference/sem_fiml_mediation.R     # -> tests/reference/sem_fiml_mediation.json
# The syntax is the one the model command fits (its "syntax" output: the template's structural part,
# then each scale measured by its facets and each facet by its items); the items are the CSV's codes.
suppressPackageStartupMessages({library(lavaan); library(jsonlite)})
d <- read.csv("sample_data/responses.csv")
model <- '
ft_trust ~ a*accountability_pressure
active_avoidance ~ c1*accountability_pressure + b1*ft_trust
passive_avoidance ~ c2*accountability_pressure + b2*ft_trust
active_avoidance ~~ passive_avoidance
ind_active := a*b1
ind_passive := a*b2
total_active := c1 + a*b1
total_passive := c2 + a*b2
ft_clarity =~ ftc1 + ft_cla2 + ftc3 + ft_cla4
ft_procedure =~ ftp1 + ftp2 + ft_pro3 + ft_pro2
ft_coordination =~ ft_coo1 + ft_coo2 + ft_coo3
ft_protection =~ ftr1 + ftr2 + ft_prot3
ft_credibility =~ ftd1 + ft_cred3 + ftd3
ft_trust =~ ft_clarity + ft_procedure + ft_coordination + ft_protection + ft_credibility
ap_generalised =~ apg1 + apg2 + apg3 + apg4
ap_credit_blame =~ apc1 + apc2 + apc3
ap_veto =~ apv1 + apv2 + ap_veto2 + apv3
ap_inspection =~ api1 + api2 + api3 + api4
ap_escalation =~ ap_esc1 + ape2 + ape3 + ape4
ap_traces =~ apt1 + apt2 + apt3 + apt4
accountability_pressure =~ ap_generalised + ap_credit_blame + ap_veto + ap_inspection + ap_escalation + ap_traces
aa_replace =~ aar1 + aar2 + aar3 + aar4
aa_blur =~ aab1 + aab2 + aab3 + aab4
aa_idle =~ aa_idle1 + aai2 + aai3
active_avoidance =~ aa_replace + aa_blur + aa_idle
pa_agenda =~ pag1 + pa_agd2 + pag3
pa_symbolic =~ pa_sym1 + pas2 + pas3 + pas4
pa_compromise =~ pac1 + pac2 + pac3
passive_avoidance =~ pa_agenda + pa_symbolic + pa_compromise
'
t <- system.time(fit <- sem(model, data = d, missing = "ml"))
pe <- parameterEstimates(fit, standardized = TRUE)
FM <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "unrestricted.logl",
        "baseline.chisq", "baseline.df", "cfi.robust", "tli.robust", "rmsea.robust")
res <- list(lavaan_version = as.character(packageVersion("lavaan")), model = model,
            n = lavInspect(fit, "nobs"), information = lavInspect(fit, "options")$information,
            seconds = unname(t["elapsed"]), fit = as.list(fitMeasures(fit, FM)),
            params = lapply(seq_len(nrow(pe)), function(i) list(lhs = pe$lhs[i], op = pe$op[i], rhs = pe$rhs[i],
                            est = pe$est[i], se = pe$se[i], std_all = pe$std.all[i])))
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/sem_fiml_mediation.json")
