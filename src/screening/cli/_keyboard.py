"""The officer's keyboard: one prompt takes one answer, and a paste never spills over.

A terminal delivers a pasted ``A1234567⏎second line⏎third line`` as if it had been typed:
read line by line, it would answer three questions unseen. So after each line we take
everything else that has already arrived (a paste lands in one burst; bracketed paste marks
it explicitly) and hand it back with the line, and the caller decides: show and confirm it
as one answer, or refuse it. Nothing read here is ever carried to the next prompt.

The terminal stays in its ordinary line mode (the kernel does the echo and the editing);
only for the brief drain is it switched to non-canonical reading, which also releases a
last pasted line that has no newline yet.
"""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"
#: A terminal writes a paste in bursts a few milliseconds apart.
BURST_GAP = 0.05
#: After a paste-start mark, how long to wait for its end mark.
PASTE_WAIT = 2.0


def _strip_marks(text: str) -> str:
    return text.replace(PASTE_START, "").replace(PASTE_END, "")


class Keyboard:
    """Reads one answer per prompt from the terminal (or from plain stdin when piped)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.fd: int | None = None
        self._saved: Any = None
        self._after_paste = False
        try:
            import termios  # noqa: F401  (POSIX only; Windows reads plain lines)

            if sys.stdin.isatty():
                self.fd = sys.stdin.fileno()
        except (ImportError, AttributeError, OSError, ValueError):
            self.fd = None

    # -- terminal set-up -------------------------------------------------------------------

    def __enter__(self) -> Keyboard:
        if self.fd is None:
            return self
        import termios

        try:
            self._saved = termios.tcgetattr(self.fd)
            quiet = termios.tcgetattr(self.fd)
            # The paste marks are echoed by the kernel: without ECHOCTL they reach the
            # terminal as escape codes it swallows, instead of showing as ^[[200~.
            quiet[3] &= ~getattr(termios, "ECHOCTL", 0)
            termios.tcsetattr(self.fd, termios.TCSANOW, quiet)
        except termios.error:
            self._saved = None
        self._write("\x1b[?2004h")  # bracketed paste on
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        self._write("\x1b[?2004l")
        if self._saved is not None:
            import termios

            with suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)

    def _write(self, code: str) -> None:
        stream = self.console.file
        with suppress(OSError, ValueError):
            if stream.isatty():
                stream.write(code)
                stream.flush()

    # -- reading ---------------------------------------------------------------------------

    def read(self, prompt: str) -> str:
        """Show ``prompt`` (Rich markup) and return what was entered.

        More than one line in the result means it arrived at once (a paste or input typed
        ahead): the caller must not take it as several answers.
        """
        while True:
            if self.fd is None:
                return self._plain(prompt)
            self.console.print(prompt, end="")
            self.console.file.flush()
            owed_enter = self._after_paste
            text = self._line_and_burst()
            if owed_enter and text == "":
                # the Enter pressed after a paste that ended without a newline: not an answer
                continue
            return text

    def _plain(self, prompt: str) -> str:
        raw = self.console.input(prompt)
        text = raw if isinstance(raw, str) else ""
        if os.name == "nt":
            text += _windows_burst()
        return _strip_marks(text).replace("\r\n", "\n").replace("\r", "\n").strip("\n")

    def _line_and_burst(self) -> str:
        import codecs

        assert self.fd is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        line = ""
        while not line.endswith("\n"):
            chunk = os.read(self.fd, 4096)
            if not chunk:  # Ctrl-D on an empty line, or the terminal is gone
                if line:
                    break
                raise EOFError
            line += decoder.decode(chunk)
        rest = self._burst(decoder, pasting=PASTE_START in line and PASTE_END not in line)
        tail = _strip_marks(rest)
        # a paste whose last line had no newline: the officer's next Enter belongs to it
        self._after_paste = bool(tail) and not tail.endswith(("\n", "\r"))
        if self._after_paste:
            self.console.file.write("\n")  # the echo stopped mid-line: end it
        text = _strip_marks(line + rest).replace("\r\n", "\n").replace("\r", "\n")
        return text.rstrip("\n")

    def _burst(self, decoder: Any, *, pasting: bool) -> str:
        """Whatever has already arrived after the line (or is still arriving with it)."""
        import select
        import termios

        assert self.fd is not None
        try:
            mode = termios.tcgetattr(self.fd)
        except termios.error:
            return ""
        raw = list(mode)
        raw[3] &= ~termios.ICANON
        raw[6] = list(mode[6])
        raw[6][termios.VMIN] = 0
        raw[6][termios.VTIME] = 0
        got = ""
        try:
            # TCSANOW: switching must not discard what is waiting (TCSAFLUSH would)
            termios.tcsetattr(self.fd, termios.TCSANOW, raw)
            while True:
                wait = PASTE_WAIT if pasting else BURST_GAP
                ready, _, _ = select.select([self.fd], [], [], wait)
                if not ready:
                    break
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    break
                got += decoder.decode(chunk)
                if pasting and PASTE_END in got:
                    pasting = False
        finally:
            with suppress(termios.error):
                termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        return got


def _windows_burst() -> str:
    """On a Windows console: keys already waiting after the line (a paste), as text.

    Not exercised by the test suite (it runs on Linux); the POSIX reader above is."""
    try:
        import msvcrt
        import time

        if not sys.stdin.isatty():
            return ""
        got = ""
        deadline = time.monotonic() + BURST_GAP
        while time.monotonic() < deadline:
            if msvcrt.kbhit():  # type: ignore[attr-defined]
                got += msvcrt.getwch()  # type: ignore[attr-defined]
                deadline = time.monotonic() + BURST_GAP
            else:
                time.sleep(0.005)
    except (ImportError, OSError, ValueError):
        return ""
    return "\n" + got if got else ""
