"""Write the bootstrap resample indices fit_mediation draws, for tests/reference/model_mediation.R.

mtcars: 200 resamples of the 32 rows (seed 11), 1-based row numbers.
MathAchieve: 100 resamples of the 160 schools (seed 7), as school labels; the clusters are
ordered as fit_mediation orders them (sorted labels as strings).
"""
from pathlib import Path

import numpy as np
import pandas as pd

from avoid_survey.analysis.stats.models.mediation import bootstrap_indices

D = Path(__file__).parent / "data"
mt = pd.read_csv(D / "med_mtcars.csv")
np.savetxt(D / "med_boot_idx_mtcars.csv", bootstrap_indices(len(mt), 200, 11) + 1, fmt="%d", delimiter=",")
ma = pd.read_csv(D / "med_mathach.csv", dtype={"school": str})
labels = np.unique(ma["school"].astype(str))
idx = bootstrap_indices(len(labels), 100, 7)
pd.DataFrame(labels[idx]).to_csv(D / "med_boot_idx_mathach.csv", header=False, index=False)
print("wrote", D / "med_boot_idx_mtcars.csv", D / "med_boot_idx_mathach.csv")
