"""The ``shopassist`` command, the top floor: it may import every package, and none imports it.

``main`` holds the group, ``emit``, ``COLLECTION`` and the entry point, and imports no command
module. Each command module defines its commands on no group (``COMMANDS``) and imports ``main``
(never this package); this module imports ``main``, then the command modules, and adds their
commands to ``cli``. So no module here imports one that imports it.
"""

from shopassist.cli.main import COLLECTION, cli, emit, main
from shopassist.cli import ab, behaviour, catalog, chat, evaluate, feed, finetune, insights, privacy, serve

for _module in (catalog, feed, behaviour, chat, serve, evaluate, finetune, privacy, ab, insights):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
del _module, _command

__all__ = ["COLLECTION", "cli", "emit", "main"]
