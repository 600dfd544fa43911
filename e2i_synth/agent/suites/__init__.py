"""One module per task suite, each with `build(scenario, frames, rng) -> list[Task]`."""
