"""Base classes and field types for the public request and response shapes."""

from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalText200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None
GssCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[EWSN]\d{8}$")]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=254,
        # Deliberately plain: one @, no spaces, a dotted domain. Deliverability is not ours to judge.
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    ),
]


class RequestModel(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PatchModel(RequestModel):
    """A partial update: only the fields sent are changed; `null` clears nullable ones."""

    not_nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> "PatchModel":
        for name in self.model_fields_set & self.not_nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)
