"""Shared model config: strict (unknown keys are errors) and immutable."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

#: Localized text: a mapping from language code (``id``, ``en``) to the text.
#: Completeness against the declared languages is checked by the loader.
LocalizedText = dict[
    Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")],
    Annotated[str, StringConstraints(min_length=1)],
]

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Version = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Strict(BaseModel):
    # defer_build: a model's validator is built when it is first used, not at import; an
    # interview start uses a few of the ~30 models (the same validation, ~60 ms less start).
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


def localized(text: LocalizedText, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else the fallback, else any language present."""
    if language in text:
        return text[language]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


__all__ = ["Field", "Identifier", "LocalizedText", "Strict", "Version", "localized"]
