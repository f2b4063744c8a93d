"""Write the simulated data sets of tests/reference/experiment.R (fixed seeds).

Run from the project root:  python tests/reference/experiment_data.py
Writes tests/reference/data/experiment_{between,within,conjoint,conjoint_restricted}.csv.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
from avoid_survey.instruments import load_instrument
from avoid_survey.instruments.experiment import Restriction

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "reference" / "data"
VIG = load_instrument(ROOT / "sample_data" / "experiment" / "ft-vignette.yaml").experiment
CJ = load_instrument(ROOT / "sample_data" / "experiment" / "reform-conjoint.yaml").experiment
EFFECTS = {"ft_list": {"published": 0.5}, "severity": {"severe": -0.4}, "task": {"innovative": -0.2}}


def main() -> None:
    one = dataclasses.replace(VIG, per_respondent=1)
    d = simulate_experiment(one, 400, effects=EFFECTS, mean=4, seed=11, missing=0.03,
                            heterogeneity={"moderator": "female", "factor": "ft_list", "level": "published",
                                           "effect": 0.3})
    d["unit"] = (d["respondent"] - 1) // 8 + 1
    d.to_csv(OUT / "experiment_between.csv", index=False)
    d = simulate_experiment(VIG, 250, effects=EFFECTS, mean=4, respondent_sd=0.7, seed=12)
    d.to_csv(OUT / "experiment_within.csv", index=False)
    d = simulate_experiment(CJ, 300, effects={"scope": {"broad": 0.6}, "review": {"panel": 0.5, "committee": -0.3},
                                              "resources": {"budget": 0.4}}, seed=13)
    d["leader"] = (d["respondent"] % 3 == 0).astype(int)
    d.to_csv(OUT / "experiment_conjoint.csv", index=False)
    restricted = dataclasses.replace(CJ, restrictions=(Restriction({"scope": ("narrow",)}, {"review": ("panel",)}),))
    d = simulate_experiment(restricted, 300, effects={"scope": {"broad": 0.6}, "review": {"panel": 0.5, "committee": -0.3},
                                                      "resources": {"budget": 0.4}}, seed=14)
    d.to_csv(OUT / "experiment_conjoint_restricted.csv", index=False)


if __name__ == "__main__":
    main()
