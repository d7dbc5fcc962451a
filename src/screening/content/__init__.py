"""Content: reading and checking the YAML indicator sets and questionnaires, the condition
language, what the scripts reach (coverage), the content's JSON Schema and the cache of
parsed YAML (`parse_cache`).

May import ``screening.models`` and ``screening.errors`` only: no CLI, records, typer, rich or
sqlite-utils.
"""
