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
