"""Regression models declared in a YAML spec (``avoid-survey model --spec spec.yaml``).

Public API
----------
run_spec(spec_path_or_mapping, *, data=None, base_dir=None) -> ModelsResult
    Validate the spec, parse every formula with our own grammar (a spec is data, never
    code), prepare the data (scores, unit file, filters, transforms), fit every model.
load_spec(spec, *, base_dir=None) -> LoadedSpec
parse_formula(text, *, file=None, line=None) -> Formula
template_path(name) / template_names()
    Bundled spec templates for the hypotheses of DOMAIN.md (analysis/templates/*.yaml).

Families: ols (classical / HC0-HC3 / one- and two-way cluster SEs as sandwich), logit and
probit (as glm), ordinal (as MASS::polr), mixed (as lme4::lmer; see :mod:`.mixed`),
mediation (bootstrap; see :mod:`.mediation`); hierarchical ``steps``, ``moderation``
(simple slopes, Johnson-Neyman) and ``robustness`` re-runs.

Modules, in the order a run uses them:
``spec`` (the YAML schema), ``templates`` (bundled specs, spec source), ``formula`` (the
grammar), ``prep`` (read, score, join units, filter, transform), ``design`` (design
matrices), ``fitting`` (one declared model: family dispatch, steps, mediation), one module
per family (``ols``, ``glm``, ``ordinal``, ``mixed`` with ``optim``, ``mediation``),
``moderation`` (simple slopes, Johnson-Neyman), ``result`` (ModelFit, ModelsResult) and
``run`` (run_spec). The table is built in ``analysis/tables/models.py``; the replication
package of ``--out`` is written by ``analysis/report/replication.py``.
"""
from __future__ import annotations

from .formula import Formula, parse_formula
from .result import Coef, ModelFit, ModelsResult
from .run import run_spec
from .spec import LoadedSpec, load_spec
from .templates import TEMPLATE_DIR, resolve_spec_source, template_names, template_path

__all__ = ["run_spec", "ModelsResult", "ModelFit", "Coef", "load_spec", "LoadedSpec", "parse_formula", "Formula",
           "template_path", "template_names", "TEMPLATE_DIR", "resolve_spec_source"]
