"""The twin generator's sampler (a smoothed bootstrap over donor neighbourhoods, in
`e2i_synth/twins/sampler.py`) behind the Synthesizer interface, so twin populations are
scored by the same scorecard as any other synthesizer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from e2i_synth.errors import E2IError
from e2i_synth.privacy.synthesizer import Family, check_rows
from e2i_synth.twins.features import TWIN_TYPES, TwinType
from e2i_synth.twins.sampler import ASSOCIATED, NEIGHBOURS, smoothed_bootstrap

MIN_ROWS = 50


@dataclass
class TwinSampler:
    """`fit` keeps the training entities' features (one row per entity) as donors."""

    twin_type: str = "hcp"
    _kind: TwinType = field(init=False, repr=False)
    _donors: pd.DataFrame = field(init=False, repr=False)

    def fit(self, rows: pd.DataFrame) -> TwinSampler:
        if self.twin_type not in TWIN_TYPES:
            raise E2IError(f"unknown twin type {self.twin_type!r}; one of {', '.join(TWIN_TYPES)}")
        self._kind = TWIN_TYPES[self.twin_type]
        missing = [c for c in self._kind.features if c not in rows.columns]
        if missing:
            raise E2IError(f"{self.twin_type} twins need the entity features {missing}")
        check_rows(rows, MIN_ROWS)
        self._donors = rows[list(self._kind.features)].reset_index(drop=True)
        return self

    def sample(self, n: int, seed: int) -> pd.DataFrame:
        return smoothed_bootstrap(self._donors, self._kind, n, np.random.default_rng(seed))


def hcp_entities(hcp_training_frame: pd.DataFrame) -> pd.DataFrame:
    """One row per HCP (features and the HCP's split) from the twins' HCP training frame."""
    kind = TWIN_TYPES["hcp"]
    columns = [*kind.features, "data_split"]
    return hcp_training_frame.drop_duplicates(kind.key)[columns].reset_index(drop=True)


TWIN_FAMILY = Family(
    name="twin_sampler",
    build=lambda params: TwinSampler("hcp"),
    starting_params=lambda rows, columns: {},
    suggestions={},
    advice={
        "HIGH_KS": "the kernel widens each jittered marginal by Scott's factor, most on small "
        "donor pools: draw filtered populations from larger pools (a larger scale)",
        "HIGH_CORR_DELTA": "features associated below twins.sampler.ASSOCIATED "
        f"({ASSOCIATED}) come from different neighbours, and clipping to the observed range "
        "and the volume bound bend the kernel's covariance: lower ASSOCIATED to keep the "
        "named pairs in one part, or narrow the neighbourhood",
        "HIGH_MIA": "each part of a twin (a group of associated features) comes from one of "
        f"its donor's {NEIGHBOURS} nearest donors (twins.sampler.NEIGHBOURS), so a training "
        "HCP's neighbourhood still shows in its twins more than an unseen HCP's does: widen "
        "the neighbourhood or split the parts finer (raise ASSOCIATED), at a cost in "
        "correlation delta, draw from a larger donor pool, or sample twins from a DP "
        "synthesizer's output (mst)",
        "HIGH_DUP_RATE": "twins equal to a donor had every jittered value clipped or rounded "
        "back: jitter more features, or round fewer integer features",
    },
)
"""The twin generator's sampler has no tunable hyperparameter (Scott's bandwidth is fixed
in `e2i_synth/twins/sampler.py`), so its failures carry advice, not adjustments."""
