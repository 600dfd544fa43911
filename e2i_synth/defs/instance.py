"""The local Dagster instance the command line records its runs in.

`$DAGSTER_HOME`, or `<E2I_HOME>/dagster`. Creating a fresh SQLite instance migrates its
schema; two commands doing that at once can leave two migration heads, after which every
run fails. So the first creation happens under an exclusive file lock, and an instance
that cannot be opened is reported in one sentence with the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterInstance

from e2i_synth.errors import E2IError
from e2i_synth.locks import exclusive
from e2i_synth.settings import Settings

INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def instance_home(settings: Settings) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or settings.home / "dagster")


def dagster_instance(settings: Settings) -> DagsterInstance:
    home = instance_home(settings)
    try:
        home.mkdir(parents=True, exist_ok=True)
        with exclusive(home / ".instance.lock"):
            config = home / "dagster.yaml"
            if not config.exists():
                config.write_text(INSTANCE_CONFIG)
            instance = DagsterInstance.from_config(str(home))
            instance.get_runs(limit=1)  # opens (and on first use migrates) run storage now
            return instance
    except OSError as exc:
        raise E2IError(
            f"cannot create the Dagster instance in {home}: {exc.strerror or exc}; point "
            "DAGSTER_HOME (or E2I_HOME) at a folder you can write to"
        ) from None
    except Exception as exc:
        cause = " ".join(str(exc).split())[:300]
        raise E2IError(
            f"the Dagster instance in {home} cannot be opened ({type(exc).__name__}: {cause}); "
            f"run `dagster instance migrate` with DAGSTER_HOME={home}, or move that folder "
            "away to start a fresh run history"
        ) from None
