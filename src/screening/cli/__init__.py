"""The command-line interface: one thin module per command group (parse, call, render) and the
shared helpers (``_output``, ``_render``, ``_walk``, ``_report``, ``_messages``).

May import every other package; only here do typer and rich appear. Heavy imports stay inside the
commands, so ``screening --help`` stays fast.
"""
