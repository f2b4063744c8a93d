"""Writes the simulated data of tests/reference/sem_engine.R (deterministic; run from the
repository root): data/cmv_sim.csv (three traits x four items a1-a4, b1-b4, c1-c4 as the
scales of cmv_sim_instrument.yaml, plus a common method factor on every item, n = 600, and
a marker column) and
data/hs_mcar_school.csv (HolzingerSwineford1939 with 10% of x1-x9 missing completely at random)."""
import numpy as np
import pandas as pd

rng = np.random.default_rng(20261203)
n = 600
phi = np.array([[1.0, 0.4, 0.3], [0.4, 1.0, 0.35], [0.3, 0.35, 1.0]])
traits = rng.standard_normal((n, 3)) @ np.linalg.cholesky(phi).T
method = rng.standard_normal(n)
lam = [0.8, 0.7, 0.6, 0.65, 0.75, 0.65, 0.7, 0.55, 0.6, 0.8, 0.7, 0.65]
meth = [0.35, 0.2, 0.4, 0.3, 0.3, 0.45, 0.25, 0.35, 0.4, 0.3, 0.2, 0.35]
cols = {}
for j in range(12):
    e = rng.standard_normal(n) * np.sqrt(max(1 - lam[j] ** 2 - meth[j] ** 2, 0.1))
    cols["abc"[j // 4] + str(j % 4 + 1)] = np.round(5 + 1.5 * (lam[j] * traits[:, j // 4] + meth[j] * method + e), 4)
cols["marker"] = np.round(3 + 0.3 * method + rng.standard_normal(n), 4)
pd.DataFrame(cols).to_csv("tests/reference/data/cmv_sim.csv", index=False)

hs = pd.read_csv("tests/reference/data/hs_holzinger1939.csv")
for c in [f"x{k}" for k in range(1, 10)]:
    hs.loc[rng.random(len(hs)) < 0.10, c] = np.nan
hs.to_csv("tests/reference/data/hs_mcar_school.csv", index=False)
