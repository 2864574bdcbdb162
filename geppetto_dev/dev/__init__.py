"""Development-only machinery: reload supervisor, live reload, the protocol inspector."""
