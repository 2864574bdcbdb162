"""`serve --reload`: supervisor, fork server, server child, messages, watch, live reload.

The channel and the hand-off of sockets to a child are process plumbing, in `procs/`.
"""
