"""Add a story partition when a story file appears in $E2I_HOME/stories, and build it;
rebuild when the file changes; drop the partition when the file is removed."""

import hashlib
import json

from dagster import RunRequest, SensorEvaluationContext, SensorResult, sensor

from e2i_synth.defs.automation import sensor_status
from e2i_synth.defs.resources import WarehouseResource
from e2i_synth.defs.stories.jobs import build_stories
from e2i_synth.defs.stories.partitions import STORY_PARTITIONS
from e2i_synth.stories import STORIES_FOLDER


def story_digests(folder) -> dict[str, str]:
    """Partition key (file stem) -> digest of the file's bytes."""
    if not folder.is_dir():
        return {}
    return {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(folder.glob("*.yaml"))
    }


@sensor(
    job=build_stories,
    minimum_interval_seconds=30,
    default_status=sensor_status(),
    description="Add and build a story partition for each story file in $E2I_HOME/stories.",
)
def story_files(context: SensorEvaluationContext, warehouse: WarehouseResource) -> SensorResult:
    seen = json.loads(context.cursor) if context.cursor else {}
    now = story_digests(warehouse.settings().home / STORIES_FOLDER)
    known = set(context.instance.get_dynamic_partitions(STORY_PARTITIONS.name))
    added = sorted(set(now) - known)
    removed = sorted(known - set(now))
    requests = []
    if added:
        requests.append(STORY_PARTITIONS.build_add_request(added))
    if removed:
        requests.append(STORY_PARTITIONS.build_delete_request(removed))
    runs = [
        RunRequest(run_key=f"{key}@{digest}", partition_key=key)
        for key, digest in now.items()
        if seen.get(key) != digest
    ]
    return SensorResult(
        run_requests=runs, dynamic_partitions_requests=requests, cursor=json.dumps(now)
    )
