"""The `screening` console script: a plain `records list --format json` is answered without
loading the command line (``screening.cli.listing``); everything else runs the full command
(``screening.cli.main``)."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:3] == ["records", "list"]:
        import os

        os.umask(0o077)  # as the full command sets it
        from screening.cli.listing import quick_list

        code = quick_list(sys.argv[3:])
        if code is not None:
            sys.exit(code)
    from screening.cli import starting

    starting()  # no garbage collection during start-up (screening/cli/__init__.py)
    from screening.cli.main import main as full

    full()


if __name__ == "__main__":
    main()
