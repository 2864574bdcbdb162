"""`serve --reload`: supervisor, fork server, server child, channel, watch, live reload."""
