"""init, build-watch and the process runner, against a local frontend remote."""
