"""`python -m geppetto_dev`: the `geppetto-dev` command."""

from geppetto_dev.cli import main

main()
