"""``python -m saudager``: the same as the ``saudager`` command."""

from saudager.cli.main import main

main()
