"""Data and bootstrap resample indices for tests/reference/model_process.R (PROCESS models).

Run from the repository root, then the R script:
    python tests/reference/model_process_data.py
    Rscript tests/reference/model_process.R
The data are the first 400 complete rows of the bundled sample data, scored (scale means):
pressure (accountability_pressure), trust (ft_trust), risk (risk_perception), power
(power_mismatch), passive (passive_avoidance), innov (innovative_task_share), age, female
(gender == 2), party (party_member, dichotomous), township (township_id). The indices are the
resamples fit_process draws: rows (1-based; seed 3, 100 resamples) and townships (labels;
seed 5, 100 resamples).
"""
from pathlib import Path

import numpy as np
import pandas as pd

import avoid_survey as av
from avoid_survey.analysis.stats.models.mediation import bootstrap_indices

ROOT = Path(__file__).resolve().parents[2]
D = Path(__file__).parent / "data"
N_BOOT, SEED_ROWS, SEED_CL = 100, 3, 5

if __name__ == "__main__":
    s = av.score(str(ROOT / "sample_data" / "responses.csv"), "blame-avoidance-core")._frame_data()
    df = pd.DataFrame({"township": s["township_id"].astype(str), "pressure": s["accountability_pressure"],
                       "trust": s["ft_trust"], "risk": s["risk_perception"], "power": s["power_mismatch"],
                       "passive": s["passive_avoidance"], "innov": s["innovative_task_share"], "age": s["age"],
                       "female": (s["gender"] == 2).astype(float), "party": s["party_member"].astype(float)})
    df = df.dropna().head(400).reset_index(drop=True)
    df.to_csv(D / "process_sample.csv", index=False, float_format="%.10g")
    df = pd.read_csv(D / "process_sample.csv", dtype={"township": str})
    np.savetxt(D / "process_idx_rows.csv", bootstrap_indices(len(df), N_BOOT, SEED_ROWS) + 1, fmt="%d",
               delimiter=",")
    labels = np.unique(df["township"].astype(str))
    pd.DataFrame(labels[bootstrap_indices(len(labels), N_BOOT, SEED_CL)]).to_csv(
        D / "process_idx_townships.csv", header=False, index=False)
    print("wrote", len(df), "rows and the indices to", D)
