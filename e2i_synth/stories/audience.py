"""What the audience changes: external demos show no real-looking person names, may show
a fictional brand alias (in the brand column and in every key), and end their data at the
last closed month (a snapshot), where internal ones run up to the as-of date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from e2i_synth.catalog import BRANDS
from e2i_synth.stories.model import Story
from e2i_synth.stories.windows import month_start
from e2i_synth.tables import SPECS

Frames = dict[str, pd.DataFrame]


def data_end(story: Story) -> date:
    if story.audience == "external":
        return month_start(story.as_of) - timedelta(days=1)
    return story.as_of


def neutral_names(frames: Frames) -> Frames:
    """HCPs named by number ('Provider 0042'), never like a real person."""
    hcps = frames["hcp_profiles"].copy()
    hcps["hcp_name"] = "Provider " + pd.Series(
        np.arange(1, len(hcps) + 1), index=hcps.index
    ).astype(str).str.zfill(4)
    return dict(frames, hcp_profiles=hcps)


def brand_alias(story: Story) -> str | None:
    hero = story.heroes.brand
    return hero.alias if story.audience == "external" and hero and hero.alias else None


def present_product(product: str, story: Story) -> str:
    """A product as the audience sees it: the brand's name in it is the alias's."""
    alias = brand_alias(story)
    return product.replace(story.scenario.brand.title(), alias) if alias else product


def key_codes(story: Story) -> tuple[str, str]:
    """The brand code keys start with, and the one the audience sees ('REM-' -> 'ZOR-')."""
    code = f"{BRANDS[story.scenario.brand].code}-"
    alias = brand_alias(story)
    return code, (f"{alias[:3].upper()}-" if alias else code)


def present_key(key: str, story: Story) -> str:
    code, new_code = key_codes(story)
    return key.replace(code, new_code, 1)


def key_columns(table: str) -> list[str]:
    spec = SPECS[table]
    return [spec.primary_key, *spec.foreign_keys]


def present(frames: Frames, story: Story) -> Frames:
    """The frames as the audience sees them (queried and exported): for an external
    audience with an alias, the brand, the brand's name in its products and the brand
    code that every key starts with ('KIS-HT-P0000042') are the alias's, in every table
    and in the store's entity keys."""
    alias = brand_alias(story)
    if alias is None:
        return frames
    brand = story.scenario.brand
    code, new_code = key_codes(story)
    out = {}
    for name, frame in frames.items():
        changed = {"brand": alias} if "brand" in frame else {}
        if "product" in frame:
            changed["product"] = frame["product"].str.replace(brand.title(), alias, regex=False)
        for column in key_columns(name):
            changed[column] = frame[column].str.replace(code, new_code, regex=False)
        if name == "feature_values":
            changed["entity_values"] = (
                frame["entity_values"]
                .str.replace(f'"brand": "{brand}"', f'"brand": "{alias}"', regex=False)
                .str.replace(f'"{code}', f'"{new_code}', regex=False)
            )
        out[name] = frame.assign(**changed)
    return out
