"""``python -m shopassist.cli`` runs the ``shopassist`` command."""

from shopassist.cli import main

main()
