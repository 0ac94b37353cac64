"""Building blocks shared by the apps' API schemas."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from dutydesk.api.pagination import DEFAULT_LIMIT, MAX_LIMIT


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded at all:
    # refuse both here, as a 422, instead of failing in the database with a 500.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


# Every string the API accepts, in bodies, queries and paths.
Text = Annotated[str, AfterValidator(_storable)]


class StrictSchema(Schema):
    """Input with unknown fields is a 422, not a silently ignored typo."""

    model_config = ConfigDict(extra="forbid")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Text | None = Field(None, max_length=500)


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        ..., description="A message, or ninja's list of schema errors (422)."
    )
    errors: dict[str, str] | None = Field(None, description="Field name → what is wrong.")


def error_responses(*codes: int) -> dict[frozenset[int], type[ErrorOut]]:
    """The documented error answers of an operation; every operation can answer 401."""
    return {frozenset({401, *codes}): ErrorOut}
