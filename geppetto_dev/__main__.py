from geppetto_dev.cli import main

main()
