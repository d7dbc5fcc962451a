"""The interview: the walk through a questionnaire (engine), answers files from paper forms, and
the session clock.

May import ``screening.content``, ``screening.models`` and ``screening.errors``: no CLI, records,
typer, rich or sqlite-utils.
"""
