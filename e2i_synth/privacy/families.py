"""Synthesizer families by name, for the command line and the Dagster job."""

from __future__ import annotations

from e2i_synth.errors import E2IError
from e2i_synth.privacy.synthesizer import Family

NAMES = ("gaussian_copula", "mst")


def family_named(name: str) -> Family:
    """The family, or one clear error; `mst` checks the dp extra is installed first."""
    from e2i_synth.privacy import copula

    if name == "gaussian_copula":
        return copula.FAMILY
    if name == "mst":
        from e2i_synth.privacy import dp_synthesizer

        dp_synthesizer.dp_modules()
        return dp_synthesizer.FAMILY
    raise E2IError(f"unknown synthesizer {name!r}; choose one of: {', '.join(NAMES)}")
