"""What the audience changes: external demos show no real-looking person names, may show
a fictional brand alias, and end their data at the last closed month (a snapshot), where
internal ones run up to the as-of date."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from e2i_synth.stories.model import Story
from e2i_synth.stories.windows import month_start

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


def present(frames: Frames, story: Story) -> Frames:
    """The frames as the audience sees them (queried and exported): the brand under its
    alias where one is configured for an external audience."""
    alias = brand_alias(story)
    if alias is None:
        return frames
    brand = story.scenario.brand
    out = {}
    for name, frame in frames.items():
        frame = frame.assign(brand=alias) if "brand" in frame else frame
        if name == "feature_values":
            frame = frame.assign(
                entity_values=frame["entity_values"].str.replace(
                    f'"brand": "{brand}"', f'"brand": "{alias}"', regex=False
                )
            )
        out[name] = frame
    return out
