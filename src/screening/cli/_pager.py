"""Long output one screen at a time: the system pager when it is taller than the terminal.

Rich renders; the pager named by ``PAGER`` shows it (default ``less``, ``more`` on Windows).
``LESS`` is respected; when it is unset, ``-R`` keeps the colours and ``-X`` leaves the last
screen in place after quitting. Nothing is paged unless stdin, stdout and the console are
all terminals: piped output stays plain data.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def _terminals(console: Console) -> bool:
    try:
        return (
            console.is_terminal
            and sys.stdin.isatty()
            and sys.stdout.isatty()
            and os.environ.get("TERM") != "dumb"
        )
    except (AttributeError, ValueError, OSError):
        return False


def _command() -> list[str]:
    import shlex
    import shutil

    chosen = os.environ.get("PAGER", "").strip()
    if chosen:
        return shlex.split(chosen, posix=os.name != "nt")
    if os.name == "nt":
        return ["more"]
    return ["less"] if shutil.which("less") else ["more"]


def show(console: Console, renderable: RenderableType, *, soft_wrap: bool = False) -> bool:
    """Print ``renderable``, through the pager when it is taller than the terminal.

    Returns whether the pager was used (the caller may then repeat a short summary)."""
    if not _terminals(console):
        console.print(renderable, soft_wrap=soft_wrap)
        return False
    with console.capture() as captured:
        console.print(renderable, soft_wrap=soft_wrap)
    text = captured.get()
    if text.count("\n") < console.size.height - 1:
        console.file.write(text)
        console.file.flush()
        return False
    return _page(console, text)


def _page(console: Console, text: str) -> bool:
    import signal
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "-R -X")
    # Ctrl-C belongs to the pager while it runs (less ignores it); our answers are saved
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        previous = None
    try:
        pager = subprocess.Popen(_command(), stdin=subprocess.PIPE, env=env)
    except OSError:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        console.file.write(text)  # no pager on this machine: print it all
        return False
    try:
        assert pager.stdin is not None
        with suppress(BrokenPipeError, OSError):  # quitting the pager early is fine
            pager.stdin.write(text.encode("utf-8", errors="replace"))
            pager.stdin.close()
        pager.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return True
