"""Population filters (specialty, tier, region, minimum decile): validated, applied to
twins and to real HCPs alike, and relaxed into suggestions when nothing matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from e2i_synth.catalog import ALL_SPECIALTIES, REGIONS
from e2i_synth.twins.errors import TwinError

TIERS = (1, 2, 3, 4)
COLUMNS = {
    "specialty": "specialty",
    "tier": "priority_tier",
    "region": "region",
    "min_decile": "decile",
}
"""Filter field -> the column it reads."""
REGION_COLUMNS = ("region", "geographic_region")


def _word_match(value: str, vocabulary: tuple[str, ...]) -> tuple[str, ...]:
    """Exact value, else every value having it as a '_'-separated word ('oncology' ->
    medical_oncology, breast_oncology)."""
    if value in vocabulary:
        return (value,)
    return tuple(v for v in vocabulary if value in v.split("_"))


@dataclass(frozen=True)
class PopulationFilter:
    specialty: tuple[str, ...] | None = None
    tier: tuple[int, ...] | None = None
    region: tuple[str, ...] | None = None
    min_decile: int | None = None

    @classmethod
    def parse(cls, filters: Mapping[str, object] | PopulationFilter | None) -> PopulationFilter:
        """From a mapping like {"specialty": ["oncology"], "tier": [1, 2]}: one clear error
        naming the first field or value that is not usable."""
        if isinstance(filters, PopulationFilter):
            return filters
        filters = dict(filters or {})
        unknown = sorted(set(filters) - set(COLUMNS))
        if unknown:
            raise TwinError(f"unknown filter field(s) {unknown}; use {', '.join(COLUMNS)}")
        parsed: dict[str, object] = {}
        for name, vocabulary in (("specialty", ALL_SPECIALTIES), ("region", REGIONS)):
            if filters.get(name) is not None:
                values = _as_list(filters[name])
                matched = tuple(m for v in values for m in _word_match(str(v), vocabulary))
                if not matched or any(not _word_match(str(v), vocabulary) for v in values):
                    raise TwinError(
                        f"filter {name}={values} matches no {name}; choose from "
                        f"{', '.join(vocabulary)}"
                    )
                parsed[name] = tuple(dict.fromkeys(matched))
        if filters.get("tier") is not None:
            try:
                tiers = tuple(int(v) for v in _as_list(filters["tier"]))
            except (TypeError, ValueError):
                tiers = ()
            if not tiers or not set(tiers) <= set(TIERS):
                raise TwinError(f"filter tier={filters['tier']} is not a list of tiers 1-4")
            parsed["tier"] = tiers
        if filters.get("min_decile") is not None:
            try:
                decile = int(filters["min_decile"])
            except (TypeError, ValueError):
                decile = 0
            if not 1 <= decile <= 10:
                raise TwinError(f"filter min_decile={filters['min_decile']} is not a decile 1-10")
            parsed["min_decile"] = decile
        return cls(**parsed)

    def as_dict(self) -> dict[str, object]:
        return {
            f.name: list(v) if isinstance(v, tuple) else v
            for f in fields(self)
            if (v := getattr(self, f.name)) is not None
        }

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        keep = np.ones(len(frame), dtype=bool)
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            column = _column(frame, f.name)
            if f.name == "min_decile":
                keep &= frame[column].to_numpy() >= value
            else:
                keep &= frame[column].isin(value).to_numpy()
        return keep

    def relaxations(self) -> list[PopulationFilter]:
        """Each filter with one criterion dropped (and the decile floor lowered)."""
        out = [replace(self, **{f.name: None}) for f in fields(self) if getattr(self, f.name)]
        if self.min_decile and self.min_decile > 1:
            out.append(replace(self, min_decile=self.min_decile - 1))
        return out


def filters_from_pairs(pairs: Sequence[str]) -> dict[str, list[str] | str]:
    """`key=value` pairs (as `--filter` takes them) as the mapping `PopulationFilter.parse`
    reads: a key given twice, or values joined by commas, add up; `min_decile` is one
    value."""
    parsed: dict[str, list[str] | str] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TwinError(f"--filter {item!r} is not key=value, e.g. --filter tier=1,2")
        key = key.strip()
        if key == "min_decile":
            parsed[key] = value.strip()
        else:
            parsed[key] = [*parsed.get(key, []), *value.split(",")]
    return parsed


def _as_list(value: object) -> list:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def _column(frame: pd.DataFrame, field: str) -> str:
    candidates = REGION_COLUMNS if field == "region" else (COLUMNS[field],)
    for column in candidates:
        if column in frame:
            return column
    raise TwinError(f"filter {field} does not apply to these twins (no {COLUMNS[field]} column)")


def select(frame: pd.DataFrame, population_filter: PopulationFilter) -> pd.DataFrame:
    """The matching rows, or one error listing the nearest filters that do match."""
    chosen = frame[population_filter.mask(frame)]
    if len(chosen):
        return chosen
    nearest = [(int(f.mask(frame).sum()), f.as_dict()) for f in population_filter.relaxations()]
    matching = sorted((n, f) for n, f in nearest if n > 0)[::-1]
    hint = "; ".join(f"{f} ({n:,} twins)" for n, f in matching) or "no filters at all"
    raise TwinError(
        f"no twins match filters {population_filter.as_dict()}; nearest filters that match: {hint}"
    )
