"""Write tests/reference/data/mixed_sim_nested.csv (used by model_mixed.R and the tests).

Officials in townships in counties with small variance ratios (township ICC ~ .06, county
~ .01) and township-level predictors, as in the sample survey data: the optimum lies far
below lme4's start theta = 1, where a gradient optimiser that starts at theta = 1 runs
into theta = 0 (a stationary point of the profiled deviance) and stops there. fit_mixed
must find the interior optimum anyway (regression test).
"""
from pathlib import Path

import numpy as np


def make(seed: int):
    rng = np.random.default_rng(seed)
    C, T = 12, 5
    sizes = rng.integers(12, 25, size=C * T)
    t = np.repeat(np.arange(C * T), sizes)
    c = t // T
    n = t.size
    u_c = rng.normal(0, 0.08, C)
    u_t = rng.normal(0, 0.2, C * T)
    z = rng.normal(size=C * T)  # a township-level predictor
    x = rng.normal(size=n)
    y = 1 + 0.3 * x + 0.2 * z[t] + u_c[c] + u_t[t] + rng.normal(0, 0.74, n)
    return {"y": y, "x": x, "z": z[t], "township_id": np.array([f"T{k % T + 1}" for k in t]),
            "county_id": np.array([f"C{k + 1:02d}" for k in c])}


if __name__ == "__main__":
    import pandas as pd

    out = Path(__file__).parent / "data" / "mixed_sim_nested.csv"
    pd.DataFrame(make(1)).to_csv(
        out, index=False, float_format="%.8f")
    print("wrote", out)
