"""Judging: scoring answers against the indicators (ILO dimensions, Palermo elements), rescoring
an old record under other content, and the information slip the person takes away.

May import ``screening.interview``, ``screening.content``, ``screening.models`` and
``screening.errors``: no CLI, records, typer, rich or sqlite-utils.
"""
