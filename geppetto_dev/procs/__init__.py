"""Child processes: groups and how they are stopped, the group guard, prefixed runners, steps."""
