"""The warehouse core: the scenario tables and truth, their checks, jobs, schedule and sensor."""
