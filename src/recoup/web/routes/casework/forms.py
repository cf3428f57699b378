"""The case forms' values, checked by pydantic models.

Each form is a model (`CaseForm`) whose fields carry their label (`title`), their help
(`description`) and how they are shown (`Widget`); the page draws the form from the
model (`FormSpec.fields`) and the route checks what was posted against the same model.
Numbers are read as the user writes them (Babel, in the page's locale: a German user's
"12,50" is 12.50); a plain "12.50" is read too. A refused value comes back beside its
field as "<label>: <why>".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar

from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError, core_schema

from recoup.i18n import gettext

MAX_TEXT = 2000
PLAIN_NUMBER = re.compile(r"\d+(\.\d+)?")

Choices = tuple[tuple[str, str], ...]  # (value, label) of a select


class FormError(ValueError):
    """What a form refused: field name -> message ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _refuse(why: str) -> PydanticCustomError:
    return PydanticCustomError("refused", "{why}", {"why": why})


@dataclass(frozen=True)
class Widget:
    """How a field is shown: text | textarea | date | amount | int | percent | select."""

    kind: str


@dataclass(frozen=True)
class Select:
    """A value chosen from a list: fixed `options`, or the account's list named
    `source` (currencies, open invoices ...), which the check finds in its context."""

    options: Choices = ()
    source: str = ""

    def __get_pydantic_core_schema__(
        self, source_type: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self._check, handler(source_type))

    def _check(self, value: str, info: ValidationInfo) -> str:
        if value not in {v for v, _label in self.choices(_context(info).get("choices", {}))}:
            raise _refuse("choose one of the list.")
        return value

    def choices(self, lists: Mapping[str, Choices]) -> Choices:
        return self.options or lists.get(self.source, ())


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if isinstance(info.context, dict) else {}


def _text(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise _refuse(f"at most {MAX_TEXT} characters.")
    return value


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _refuse("give a day as YYYY-MM-DD.") from None
    return value


def read_number(raw: str, locale: str) -> Decimal:
    """`raw` as the user wrote it in `locale` ("12,50" in de_DE), or plainly ("12.50");
    InvalidOperation when it is neither."""
    group = get_group_symbol(locale)
    if group.isspace():  # fr: a narrow no-break space, typed as a plain one
        raw = raw.replace(" ", group)
    try:
        return parse_decimal(raw, locale=locale, strict=True)
    except NumberFormatError:
        if PLAIN_NUMBER.fullmatch(raw):
            return Decimal(raw)
        raise InvalidOperation(raw) from None


def _positive(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    try:
        number = read_number(value, str(_context(info).get("locale", "en_US")))
    except InvalidOperation:
        raise _refuse(f"not a number ({value}).") from None
    if not number.is_finite() or number <= 0:
        raise _refuse("give an amount above zero.")
    return number


def _percent(value: Any, info: ValidationInfo) -> Any:
    number = _positive(value, info)
    if isinstance(number, Decimal) and number > 100:
        raise _refuse("at most 100 percent.")
    return number


def whole(low: int, high: int) -> BeforeValidator:
    """The check of a whole number from `low` to `high`."""

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            number = int(value)
        except ValueError:
            raise _refuse("give a whole number.") from None
        if not low <= number <= high:
            raise _refuse(f"between {low} and {high}.")
        return number

    return BeforeValidator(check)


# The kinds of value; `Maybe...` for a field that may be left empty (None).
Text = Annotated[str, Widget("text"), BeforeValidator(_text)]
MaybeText = Annotated[str | None, Widget("text"), BeforeValidator(_text)]
LongText = Annotated[str, Widget("textarea"), BeforeValidator(_text)]
MaybeLongText = Annotated[str | None, Widget("textarea"), BeforeValidator(_text)]
Day = Annotated[date, Widget("date"), BeforeValidator(_day)]
MaybeDay = Annotated[date | None, Widget("date"), BeforeValidator(_day)]
Amount = Annotated[Decimal, Widget("amount"), BeforeValidator(_positive)]
MaybeAmount = Annotated[Decimal | None, Widget("amount"), BeforeValidator(_positive)]
MaybePercent = Annotated[Decimal | None, Widget("percent"), BeforeValidator(_percent)]
MaybeCurrency = Annotated[str | None, Widget("select"), Select(source="currencies")]


class CaseForm(BaseModel):
    """One case form: its fields are the model's; the class says where it posts
    (`name`), its title, its button, its note and the list it needs (`needs`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: ClassVar[str]
    title: ClassVar[str]
    submit: ClassVar[str]
    intro: ClassVar[str] = ""
    needs: ClassVar[str] = ""  # shown only when the account has this list (e.g. "placed")


@dataclass(frozen=True)
class ShownField:
    """A field as the page draws it (read from the model)."""

    name: str
    label: str
    kind: str
    required: bool
    select: Select | None
    help: str
    group: str
    default: str


@dataclass(frozen=True)
class FormSpec:
    form: type[CaseForm]
    fields: tuple[ShownField, ...]

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def title(self) -> str:
        return self.form.title

    @property
    def submit(self) -> str:
        return self.form.submit

    @property
    def intro(self) -> str:
        return self.form.intro

    @property
    def needs(self) -> str:
        return self.form.needs

    @classmethod
    def of(cls, form: type[CaseForm]) -> FormSpec:
        fields = []
        for name, info in form.model_fields.items():
            widget = next(m for m in info.metadata if isinstance(m, Widget))
            select = next((m for m in info.metadata if isinstance(m, Select)), None)
            default = None if info.is_required() else info.get_default()  # not "PydanticUndefined"
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            fields.append(
                ShownField(
                    name,
                    info.title or name,
                    widget.kind,
                    info.is_required(),
                    select,
                    info.description or "",
                    str(extra.get("group", "")),  # a CSS class for fields shown together
                    "" if default is None else str(default),
                )
            )
        return cls(form, tuple(fields))

    def label(self, name: str) -> str:
        return next((f.label for f in self.fields if f.name == name), name)

    def check(
        self, posted: Mapping[str, str], choices: Mapping[str, Choices], locale: str
    ) -> CaseForm:
        """The posted values as the form's model; FormError with every field refused."""
        given = {k: v.strip() for k, v in posted.items() if v.strip()}
        try:
            return self.form.model_validate(given, context={"choices": choices, "locale": locale})
        except ValidationError as err:
            errors: dict[str, str] = {}
            for e in err.errors():
                name = str(e["loc"][0]) if e["loc"] else ""
                label = self.label(name)
                label = gettext(label)
                why = (
                    gettext("%(label)s is required.") % {"label": label}
                    if e["type"] == "missing"
                    else f"{label}: {e['msg']}"
                )
                errors.setdefault(name, why)
            raise FormError(errors) from None


@dataclass
class FormState:
    """A form as shown: its spec, the values to show, the errors ("" key: the form's)."""

    spec: FormSpec
    choices: Mapping[str, Choices]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return bool(self.errors)

    @property
    def first_error(self) -> str | None:
        """The field to focus (the form's own error: ""), so the page opens on it."""
        if "" in self.errors:
            return ""
        return next((f.name for f in self.spec.fields if f.name in self.errors), None)

    def options(self, f: ShownField) -> Choices:
        return f.select.choices(self.choices) if f.select else ()

    def value(self, f: ShownField) -> str:
        return self.values.get(f.name, f.default)
