"""Write the example experiment data of the sample study (known effects, fixed seeds).

Run from the project root:  python sample_data/experiment/make_data.py
- vignette.csv: 600 officials x 4 vignettes of ft-vignette.yaml; outcomes innovate, avoid.
  True effects on innovate: published list +0.5, severe accountability -0.4, innovative
  task -0.2, published list x severe accountability +0.3 (a published list matters more
  where sanctions are severe), published list x female +0.3; on avoid: published -0.4,
  severe +0.6, innovative +0.3. Respondent SD 0.7, residual SD 1.
- conjoint.csv: 500 officials x 5 tasks x 2 profiles of reform-conjoint.yaml; chosen from a
  conditional logit with utilities broad scope +0.6, panel +0.5, committee -0.3, budget +0.4.
"""
from __future__ import annotations

from pathlib import Path

from avoid_survey.analysis.stats.experiment.simulate import simulate_experiment
from avoid_survey.instruments import load_instrument

HERE = Path(__file__).resolve().parent


def main() -> None:
    vig = load_instrument(HERE / "ft-vignette.yaml").experiment
    d = simulate_experiment(vig, 600, mean=4, respondent_sd=0.7, seed=2026, decimals=3,
                            effects={"ft_list": {"published": 0.5}, "severity": {"severe": -0.4},
                                     "task": {"innovative": -0.2}},
                            heterogeneity={"moderator": "female", "factor": "ft_list", "level": "published",
                                           "effect": 0.3},
                            interactions=[{"levels": {"ft_list": "published", "severity": "severe"}, "effect": 0.3}])
    a = simulate_experiment(vig, 600, mean=3, respondent_sd=0.7, seed=2026, decimals=3, outcome="avoid",
                            effects={"ft_list": {"published": -0.4}, "severity": {"severe": 0.6},
                                     "task": {"innovative": 0.3}})
    d["avoid"] = a["avoid"]
    d.to_csv(HERE / "vignette.csv", index=False)
    cj = load_instrument(HERE / "reform-conjoint.yaml").experiment
    c = simulate_experiment(cj, 500, seed=2027, effects={"scope": {"broad": 0.6},
                                                         "review": {"panel": 0.5, "committee": -0.3},
                                                         "resources": {"budget": 0.4}})
    c["leader"] = (c["age"] > 45).astype(int)
    c.to_csv(HERE / "conjoint.csv", index=False)


if __name__ == "__main__":
    main()
