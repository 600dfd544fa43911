"""Pure validators: each returns the problems it finds as sentences a person understands."""
