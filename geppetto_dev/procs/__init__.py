"""Child processes: groups and how they are stopped, the group guard, prefixed runners, steps,
the channel to a child and the hand-off of listening sockets to it."""
