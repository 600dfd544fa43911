-- 020: a simulation's doubly robust estimate in its parts, and its support. simulation_runs
-- stores the plug-in (the twins' mean model effect) and the history's correction apart
-- from the final estimate (simulated_ate = plugin_ate + correction), and whether the run
-- was extrapolated beyond the history's support (dose or target population), with why.
-- NULL in rows stored before this migration.

ALTER TABLE simulation_runs ADD COLUMN plugin_ate double precision;
ALTER TABLE simulation_runs ADD COLUMN correction double precision;
ALTER TABLE simulation_runs ADD COLUMN extrapolated boolean;
ALTER TABLE simulation_runs ADD COLUMN support_note text;
