"""The project's Geppetto frontend: the clone, npm, and build-watch."""
