"""Errors and warnings of the twin domain, each naming the problem and the fix."""

from __future__ import annotations

from e2i_synth.errors import E2IError


class TwinError(E2IError):
    """Twin training, generation or simulation cannot proceed as asked."""


class LowFidelityWarning(UserWarning):
    """The twin model explains little of its target (cross-validated R² below 0.5)."""
