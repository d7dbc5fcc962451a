"""The command-line interface: one thin module per command group (parse, call, render) and the
shared helpers (``_output``, ``_render``, ``_walk``, ``_report``, ``_messages``).

May import every other package; only here do typer and rich appear. Heavy imports stay inside the
commands, so ``screening --help`` stays fast.
"""

import gc

# The CLI is the process: a start makes hundreds of thousands of objects that live as long as
# it does (typer's commands, pydantic's validators, the content), and the default thresholds
# (700, 10, 10) collect over them ~140 times, ~10 % of an interview start (measured with
# gc.callbacks). Fewer, larger young collections do the same work.
gc.set_threshold(10_000, 20, 20)

# Better still, no collection at all while the console script starts (imports, the command
# line; an interview start also its content and database): what start-up makes lives as long
# as the process, and every collection then only walks it again (~15 ms of an interview
# start, 8 collections). Once start-up is over it is frozen (gc.freeze: never walked again)
# and collection resumes. Only the console script pauses: a program or test that imports the
# CLI keeps its own collector untouched.
_paused = False
_froze = False


def starting() -> None:
    """The console script's first step: no collection until the command begins its work."""
    global _paused
    _paused = True
    gc.disable()


def settled() -> None:
    """Start-up is over: freeze what it made and collect from here on (once paused only)."""
    global _paused, _froze
    if _paused:
        _paused = False
        _froze = True
        gc.freeze()
        gc.enable()


def pause() -> None:
    """A command's own start-up (loading content, opening the database) until
    :func:`settled`: only in a console-script process, which froze its start-up already."""
    global _paused
    if _froze and not _paused:
        _paused = True
        gc.disable()
