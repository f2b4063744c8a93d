"""Synthetic survey data from a declared data-generating model (``avoid-survey simulate``).

A *study spec* (YAML, read with :func:`avoid_survey.analysis.core.yamlsafe.load_yaml`) declares

* the **design**: counties -> townships (-> optional units) -> officials, sizes fixed or
  drawn uniformly from ``[min, max]``;
* **county variables** (``county_variables:``, one draw per county copied to its townships,
  e.g. tolerance rules issued by the county), **unit-level variables** (one value per
  township, e.g. ``veto_indicators_n``) and **individual variables** (e.g. ``age``,
  ``primary_task``), each with a distribution; county and unit variables go to the units
  file and enter effects alike. For a 2.x instrument the unit variables are looked up in
  the unit questionnaire of the same major version (``unit-questionnaire-v2``);
* the **structural model**: every latent construct (scale or facet id of the instrument)
  is, in declared order,

  .. math:: \\eta = a + \\sum_k b_k x_k + u_{county} + u_{township} + e,

  where the ``x_k`` are unit or individual variables, indicators ``var=value``, latents
  declared earlier, or products ``x:z`` (interactions, of mean-centred factors by default)
  and ``x^2``; ``u_county ~ N(0, icc_county * s^2)``, ``u_township ~ N(0, icc_township *
  s^2)``, ``e ~ N(0, (1 - icc_county - icc_township) * s^2)`` with ``s = residual_sd``. So
  the ICCs are shares of the latent's residual variance. A facet without its own
  declaration is ``parent + N(0, facet_sd^2)`` (a second-order structure).
* the **measurement model**: item ``j`` answers ``y* = location_j + loading_j * eta +
  N(0, error_sd_j^2)``; thresholds (default equally spaced ``step`` apart, centred at 0)
  cut ``y*`` into the codes ``min..max``; reverse-keyed items are written reversed
  (``min + max - code``) as respondents answer them.
  ``measurement.location_sd`` draws every Likert item's location (difficulty) from
  ``N(0, location_sd^2)`` once per study, from the spec's seed (child stream 16 of
  ``SeedSequence(seed)``), so ``--seed`` and ``--replicate`` draw new respondents for the
  same questionnaire; a scale's or facet's ``location`` adds to the draw, an item's own
  ``measurement.items[id].location`` replaces it. ``measurement.method: {loading, scales}``
  adds a respondent-level method factor ``m ~ N(0, 1)`` (acquiescence; its own stream, so
  the latent scores stay as they were) to y* of every item of the listed scales (default:
  every Likert scale) in the *answered* direction: a reverse-keyed item gets ``-loading *
  m`` before the reversal, so the method factor raises the written code of every item. A
  marker latent without causes or effects then shares only method variance with the other
  scales. The truth file gets a ``method`` column; ``simulate --items-out FILE`` writes
  the parameters used (item, scale, latent, loading, location, error_sd, method_loading,
  reverse, min, max, threshold_1..K; y* metric, construct direction).
* **realism**: MCAR missing answers, respondents who skip a block or break off, careless
  respondents (straight-liners, random responders, speeders) with a duration column, and
  failed attention checks.

Randomness comes only from ``numpy.random.Generator`` streams spawned from one
``SeedSequence(seed)`` (one stream per component, so changing the missing-data share does
not change the latent scores; new streams are only added after the old ones, so a spec
without the newer keys gives the bytes it gave), and nothing depends on hash ordering, so
the same spec and seed give the same bytes.

Power analysis (:func:`power_analysis`) refits a model spec (``avoid-survey model``) on
replicate data sets and reports, per coefficient, the mean estimate, bias against the
declared structural coefficient, empirical and mean SE, power and CI coverage.

The generating model is that of a multilevel SEM with ordinal indicators (in R, the
measurement part is what ``lavaan::simulateData`` does with ordinal thresholds; the
random intercepts what ``simstudy``/``lme4::simulate`` do). It is checked against its own
declared truth, not against R: on 20,000 simulated officials the latent regression
recovers every structural coefficient within 3 SE and the variance components within
0.03 (tests/test_simulate.py).

Modules: :mod:`.spec` (the YAML schema and :func:`load_study`), :mod:`.plan` (the
generation plan derived from a checked spec), :mod:`.generation` (:func:`simulate`),
:mod:`.export` (writing the data, unit and truth files; the Wenjuanxing-style export;
:func:`run_simulate`), :mod:`.power` (:func:`power_analysis`), :mod:`.progress`.
"""
from __future__ import annotations

from .export import SimulationSummary, run_simulate, wjx_frame, write_frame
from .generation import Simulation, simulate
from .power import PowerResult, normalize_term, power_analysis
from .spec import Study, StudySpec, load_study

__all__ = ["StudySpec", "Study", "load_study", "simulate", "Simulation", "run_simulate",
           "SimulationSummary", "power_analysis", "PowerResult", "wjx_frame", "normalize_term", "write_frame"]
