"""Write the bootstrap resample rows `sem --bootstrap 200 --seed 11` draws on PoliticalDemocracy
(1-based, one resample per line) for tests/reference/sem_boot.R to replay in lavaan."""
from pathlib import Path

import numpy as np

from avoid_survey.analysis.stats.sem.bootstrap import bootstrap_indices

D = Path(__file__).parent / "data"
np.savetxt(D / "sem_boot_idx_poldem.csv", bootstrap_indices(75, 200, 11) + 1, fmt="%d", delimiter=",")
print("wrote", D / "sem_boot_idx_poldem.csv")
