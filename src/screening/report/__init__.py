"""The supervisor's report: figures counted in the database, small counts protected for
sharing. Rendering (terminal, HTML, charts) lives in the CLI; nothing here imports it."""
