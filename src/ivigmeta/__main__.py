"""``python -m ivigmeta`` runs the command line."""

from ivigmeta.cli import main

main()
