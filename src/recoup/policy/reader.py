"""Read a policy file (TOML) into a `Policy`, with every problem at its file:line:column.

`load_policy(text, file)` never raises for a bad policy: it returns the policy (None
when there are problems) and the problems, all of them, in the order of the file.
Three kinds of problem are found:

1. TOML syntax errors (from `tomllib`, which knows the position);
2. the shape of the file: unknown keys (with a did-you-mean), wrong types, floats
   where money or a percentage belongs, unknown names (tones, holds, weekdays ...);
3. the rules of `recoup.domain.policy.validate_policy` (order of the stages, floors
   between 0 and 100 % ...), placed with the positions `recoup.policy.locate` finds.

Rules of kind 3 are only reported for the sections (`stage`, `contact`, `fees` ...)
that had no problem of kind 2, since those sections were read with stand-in values.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import get_close_matches
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from recoup.domain.authority_limits import AmountLimit, CollectorLimits
from recoup.domain.money import MoneyError
from recoup.domain.policy import (
    Actions,
    AmountBand,
    Authority,
    Conditions,
    ContactSettings,
    Escalation,
    EscalationRule,
    FeesAndInterest,
    GroupBy,
    Hold,
    InterestKind,
    Onboarding,
    OnChange,
    Part,
    PlanLimits,
    Policy,
    PolicyAmount,
    SettlementFloor,
    Stage,
    Step,
    Tone,
    Trigger,
    TriggerKind,
    Weekday,
    WriteOffRule,
    parse_amount,
    parse_hours,
    parse_percent,
    validate_policy,
)
from recoup.domain.priority import PayerKind
from recoup.domain.problems import Problem
from recoup.policy.keys import (
    AUTHORITY_KEYS,
    COLLECTOR_KEYS,
    CONTACT_KEYS,
    ESCALATION_KEYS,
    FEES_KEYS,
    PLAN_KEYS,
    RECOMMEND_KEYS,
    SETTLEMENT_KEYS,
    STAGE_KEYS,
    TOP_KEYS,
    TRIGGER_KEYS,
    WRITE_OFF_KEYS,
)
from recoup.policy.locate import KeyPath, Locations, locate
from recoup.policy.matching import read_matching

E = TypeVar("E", bound=StrEnum)

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


PolicyProblem = Problem
"""One problem of a policy file (the same record as an import's problems)."""


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    policy: Policy | None  # None when there are problems
    problems: tuple[PolicyProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def load_policy(text: str, file: str = "<policy>") -> LoadedPolicy:
    """The policy in `text` (TOML), or the problems that stop it; `file` names it in them."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return LoadedPolicy(None, (_syntax_problem(err, text, file),))
    reader = _Reader(text, file)
    policy = reader.policy(data)
    for issue in validate_policy(policy):
        if issue.path[:1] and str(issue.path[0]) in reader.bad_sections:
            continue
        reader.at_value(issue.path, issue.message)
    problems = tuple(sorted(reader.problems, key=lambda p: (p.line or 0, p.column or 0)))
    return LoadedPolicy(None if problems else policy, problems)


def read_policy_file(path: Path) -> tuple[str | None, LoadedPolicy]:
    """The text of the file at `path` and the policy in it (an unreadable file is a problem)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        reason = err.strerror or str(err)
        return None, LoadedPolicy(
            None, (PolicyProblem(name, None, None, f"cannot read: {reason}"),)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        message = "not UTF-8 text: save the policy file as UTF-8"
        return None, LoadedPolicy(None, (PolicyProblem(name, line, column, message),))
    return text, load_policy(text, name)


def _syntax_problem(err: tomllib.TOMLDecodeError, text: str, file: str) -> PolicyProblem:
    message = str(err)
    match = _TOML_POSITION.search(message)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    else:
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        message = _TOML_END.sub("", message)
    return PolicyProblem(file, line, column, f"not valid TOML: {message[:1].lower()}{message[1:]}")


def _where(path: KeyPath) -> str:
    """How a table is named in messages: [contact], [[stage]] number 2, the top level."""
    if not path:
        return "at the top level"
    names = [str(p) for p in path if isinstance(p, str)]
    if isinstance(path[-1], int):
        return f"in [[{'.'.join(names)}]] number {path[-1] + 1}"
    return f"in [{'.'.join(names)}]"


def _choices(kind: type[E]) -> str:
    return ", ".join(f'"{m.value}"' for m in kind)


class _Reader:
    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.loc: Locations = locate(text)
        self.problems: list[PolicyProblem] = []
        self.bad_sections: set[str] = set()
        self.currency: str | None = None

    # -- problems ------------------------------------------------------------------

    def _add(self, where: tuple[int, int], path: KeyPath, message: str, *, bad: bool) -> None:
        self.problems.append(PolicyProblem(self.file, where[0], where[1], message))
        if bad and path:
            self.bad_sections.add(str(path[0]))

    def at_key(self, path: KeyPath, message: str, *, bad: bool = True) -> None:
        self._add(self.loc.key(path), path, message, bad=bad)

    def at_value(self, path: KeyPath, message: str, *, bad: bool = False) -> None:
        self._add(self.loc.value(path), path, message, bad=bad)

    def wrong(self, path: KeyPath, message: str) -> None:
        """A value of the wrong shape: the section was read with a stand-in."""
        self.at_value(path, message, bad=True)

    # -- shapes --------------------------------------------------------------------

    def table(self, data: Any, path: KeyPath, allowed: Sequence[str]) -> dict[str, Any]:
        """`data` as a table whose keys are all in `allowed` (others are reported)."""
        if not isinstance(data, dict):
            self.wrong(path, f"{path[-1]} must be a table, not {_kind(data)}")
            return {}
        for key in data:
            if key not in allowed:
                hint = get_close_matches(key, allowed, n=1, cutoff=0.6)
                known = (
                    f'did you mean "{hint[0]}"?' if hint else "known keys: " + ", ".join(allowed)
                )
                message = f'unknown key "{key}" {_where(path)}; {known}'
                self.at_key((*path, key), message, bad=False)  # the rest was read as written
        return data

    def tables(
        self, data: dict[str, Any], path: KeyPath, key: str, allowed: Sequence[str]
    ) -> list[tuple[KeyPath, dict[str, Any]]]:
        """The entries of an array of tables `[[key]]` (none when absent)."""
        if key not in data:
            return []
        value = data[key]
        here = (*path, key)
        header = ".".join(str(p) for p in here if isinstance(p, str))
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.wrong(here, f"{key} is a list of tables: write each one under [[{header}]]")
            return []
        return [((*here, i), self.table(v, (*here, i), allowed)) for i, v in enumerate(value)]

    def _float(self, path: KeyPath, value: float, what: str) -> None:
        raw = self.loc.raw(path) or repr(value)
        self.wrong(path, f'{what} are never floats: write {raw} as "{raw}"')

    def integer(self, data: dict[str, Any], path: KeyPath, key: str, default: int) -> int:
        if key not in data:
            return default
        value = data[key]
        here = (*path, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raw = self.loc.raw(here) or repr(value)
            self.wrong(here, f"{key} is a whole number, e.g. 7; not {raw}")
            return default
        return value

    def optional_integer(self, data: dict[str, Any], path: KeyPath, key: str) -> int | None:
        return self.integer(data, path, key, 0) if key in data else None

    def boolean(self, data: dict[str, Any], path: KeyPath, key: str, default: bool) -> bool:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, bool):
            raw = self.loc.raw((*path, key)) or repr(value)
            self.wrong((*path, key), f"{key} is true or false, not {raw}")
            return default
        return value

    def string(self, data: dict[str, Any], path: KeyPath, key: str) -> str | None:
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, str):
            raw = self.loc.raw((*path, key)) or repr(value)
            self.wrong((*path, key), f'{key} is text in quotes, e.g. "{raw}"; not {raw}')
            return None
        return value

    def amount(self, data: dict[str, Any], path: KeyPath, key: str) -> PolicyAmount | None:
        if key not in data:
            return None
        value = data[key]
        here = (*path, key)
        if isinstance(value, float):
            self._float(here, value, "amounts")
            return None
        if not isinstance(value, str):
            raw = self.loc.raw(here) or repr(value)
            self.wrong(here, f'an amount is text in quotes: write {raw} as "{raw}" or "{raw} EUR"')
            return None
        try:
            return parse_amount(value, self.currency)
        except (ValueError, MoneyError) as err:
            self.wrong(here, str(err))
            return None

    def percent(self, data: dict[str, Any], path: KeyPath, key: str) -> Decimal | None:
        if key not in data:
            return None
        value = data[key]
        here = (*path, key)
        if isinstance(value, float):
            self._float(here, value, "percentages")
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if not isinstance(value, str):
            self.wrong(here, f'{key} is a percentage in quotes, e.g. "2.5"')
            return None
        try:
            return parse_percent(value)
        except (ValueError, MoneyError) as err:
            self.wrong(here, str(err))
            return None

    def choice(self, data: dict[str, Any], path: KeyPath, key: str, kind: type[E]) -> E | None:
        if key not in data:
            return None
        return self._member((*path, key), data[key], key, kind)

    def _member(self, here: KeyPath, value: Any, what: str, kind: type[E]) -> E | None:
        if not isinstance(value, str):
            self.wrong(here, f"{what} is one of {_choices(kind)}")
            return None
        try:
            return kind(value)
        except ValueError:
            hint = get_close_matches(value, [m.value for m in kind], n=1, cutoff=0.6)
            known = f'did you mean "{hint[0]}"?' if hint else f"one of {_choices(kind)}"
            self.wrong(here, f'unknown {what} "{value}"; {known}')
            return None

    def choices(
        self, data: dict[str, Any], path: KeyPath, key: str, kind: type[E], what: str
    ) -> tuple[E, ...] | None:
        if key not in data:
            return None
        value = data[key]
        here = (*path, key)
        if not isinstance(value, list):
            self.wrong(here, f"{key} is a list, e.g. [{_choices(kind)}]")
            return None
        found = [self._member((*here, i), v, what, kind) for i, v in enumerate(value)]
        return tuple(m for m in found if m is not None)

    def strings(self, data: dict[str, Any], path: KeyPath, key: str) -> tuple[str, ...]:
        if key not in data:
            return ()
        value = data[key]
        here = (*path, key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong(here, f'{key} is a list of texts in quotes, e.g. ["vip", "wholesale"]')
            return ()
        return tuple(value)

    def band(self, data: dict[str, Any], path: KeyPath) -> AmountBand:
        return AmountBand(
            self.amount(data, path, "min_balance"), self.amount(data, path, "balance_below")
        )

    # -- sections ------------------------------------------------------------------

    def policy(self, data: dict[str, Any]) -> Policy:
        top = self.table(data, (), TOP_KEYS)
        name = self.string(top, (), "name")
        currency = self.string(top, (), "currency") or None
        self.currency = currency
        jurisdiction = self.string(top, (), "jurisdiction") or None
        group_by = self.choice(top, (), "group_by", GroupBy) or GroupBy.CUSTOMER_CURRENCY
        onboarding = self.choice(top, (), "onboarding", Onboarding) or Onboarding.GENTLE
        changed = self.choice(top, (), "changed_messages", OnChange) or OnChange.REBUILD
        return Policy(
            name=name or "",
            stages=self.stages(top),
            contact=self.contact(top),
            fees=self.fees(top),
            authority=self.authority(top),
            escalation=self.escalation(top),
            currency=currency,
            jurisdiction=jurisdiction,
            group_by=group_by,
            onboarding=onboarding,
            changed_messages=changed,
            matching=read_matching(self, top),
        )

    def stages(self, top: dict[str, Any]) -> tuple[Stage, ...]:
        return tuple(self.stage(path, t) for path, t in self.tables(top, (), "stage", STAGE_KEYS))

    def stage(self, at: KeyPath, t: dict[str, Any]) -> Stage:
        name = self.string(t, at, "name")
        if "name" not in t:
            self.at_key(at, f"stage {_number(at)} needs a name", bad=True)
        actions = Actions(
            email=self.string(t, at, "email"),
            letter=self.string(t, at, "letter"),
            call=self.boolean(t, at, "call", False),
            fee=self.amount(t, at, "fee"),
            fee_percent=self.percent(t, at, "fee_percent"),
        )
        conditions = Conditions(
            band=self.band(t, at),
            tags=self.strings(t, at, "tags"),
            exclude_tags=self.strings(t, at, "exclude_tags"),
            categories=self.choices(t, at, "categories", PayerKind, "category") or (),
        )
        return Stage(
            name=name or f"stage {_number(at)}",
            trigger=self.trigger(at, t, name),
            tone=self.choice(t, at, "tone", Tone) or Tone.FRIENDLY,
            actions=actions,
            conditions=conditions,
        )

    def trigger(self, at: KeyPath, t: dict[str, Any], name: str | None) -> Trigger:
        given = [k for k in TRIGGER_KEYS if k in t]
        label = f'stage "{name}"' if name else "this stage"
        if not given:
            self.at_key(
                at,
                f"{label} has no trigger: give it one of " + ", ".join(TRIGGER_KEYS),
                bad=True,
            )
            return Trigger(TriggerKind.DAYS_FROM_DUE, 0)
        if len(given) > 1:
            self.at_key(
                (*at, given[1]),
                f"{label} has two triggers, {given[0]} and {given[1]}; keep one",
                bad=True,
            )
            return Trigger(TriggerKind.DAYS_FROM_DUE, 0)
        kind = TriggerKind(given[0])
        if kind is TriggerKind.END_OF_MONTH:
            if t[kind.value] is False:
                self.wrong((*at, kind.value), "end_of_month = false is no trigger; remove it")
            else:
                self.boolean(t, at, kind.value, True)  # reports anything but true
            return Trigger(kind)
        return Trigger(kind, self.integer(t, at, kind.value, 0))

    def contact(self, top: dict[str, Any]) -> ContactSettings:
        if "contact" not in top:
            return ContactSettings()
        at: KeyPath = ("contact",)
        t = self.table(top["contact"], at, CONTACT_KEYS)
        base = ContactSettings()
        hours_from, hours_until = base.hours_from, base.hours_until
        hours = self.string(t, at, "hours")
        if hours is not None:
            try:
                hours_from, hours_until = parse_hours(hours)
            except ValueError as err:
                self.wrong((*at, "hours"), str(err))
        weekdays = self.choices(t, at, "weekdays", Weekday, "weekday")
        holds = self.choices(t, at, "holds", Hold, "hold")
        return ContactSettings(
            min_gap_days=self.integer(t, at, "min_gap_days", base.min_gap_days),
            max_per_7_days=self.integer(t, at, "max_per_7_days", base.max_per_7_days),
            hours_from=hours_from,
            hours_until=hours_until,
            weekdays=base.weekdays if weekdays is None else weekdays,
            skip_holidays=self.boolean(t, at, "skip_holidays", base.skip_holidays),
            holds=base.holds if holds is None else holds,
        )

    def fees(self, top: dict[str, Any]) -> FeesAndInterest:
        if "fees" not in top:
            return FeesAndInterest()
        at: KeyPath = ("fees",)
        t = self.table(top["fees"], at, FEES_KEYS)
        order = self.choices(t, at, "application_order", Part, "part")
        return FeesAndInterest(
            interest=self.choice(t, at, "interest", InterestKind) or InterestKind.NONE,
            rate_percent=self.percent(t, at, "rate_percent"),
            grace_days=self.integer(t, at, "grace_days", 0),
            compensation=self.boolean(t, at, "compensation", False),
            application_order=order,
        )

    def authority(self, top: dict[str, Any]) -> Authority:
        if "authority" not in top:
            return Authority()
        at: KeyPath = ("authority",)
        t = self.table(top["authority"], at, AUTHORITY_KEYS)
        floors = []
        for path, f in self.tables(t, at, "settlement", SETTLEMENT_KEYS):
            for required in ("from_days", "min_percent"):
                if required not in f:
                    self.at_key(path, f"a settlement floor needs {required}", bad=True)
            floors.append(
                SettlementFloor(
                    from_days=self.integer(f, path, "from_days", 0),
                    min_percent=self.percent(f, path, "min_percent") or Decimal(100),
                    band=self.band(f, path),
                )
            )
        plan = PlanLimits()
        if "payment_plan" in t:
            path = (*at, "payment_plan")
            p = self.table(t["payment_plan"], path, PLAN_KEYS)
            plan = PlanLimits(
                max_installments=self.integer(p, path, "max_installments", plan.max_installments),
                min_installment=self.amount(p, path, "min_installment") or plan.min_installment,
                first_within_days=self.integer(
                    p, path, "first_within_days", plan.first_within_days
                ),
                grace_days=self.integer(p, path, "grace_days", plan.grace_days),
                default_after_missed=self.integer(
                    p, path, "default_after_missed", plan.default_after_missed
                ),
            )
        grace = self.integer(t, at, "promise_grace_days", Authority().promise_grace_days)
        return Authority(
            settlement=tuple(floors),
            payment_plan=plan,
            promise_grace_days=grace,
            collector=self.collector(t, at),
        )

    def collector(self, t: dict[str, Any], at: KeyPath) -> CollectorLimits:
        """`[authority.collector]`: absent, the built-in limits; present, a kind without
        its keys gives a collector no authority for it."""
        if "collector" not in t:  # the built-in limits, in the policy's currency if it has one
            built = Authority().collector

            def local(limit: AmountLimit) -> AmountLimit:
                up_to = limit.up_to
                if up_to is None or up_to.currency is not None:
                    return limit
                return AmountLimit(PolicyAmount(up_to.value, self.currency), limit.percent)

            return CollectorLimits(credit=local(built.credit), write_off=local(built.write_off))
        path = (*at, "collector")
        c = self.table(t["collector"], path, COLLECTOR_KEYS)

        def limit(kind: str) -> AmountLimit:
            return AmountLimit(
                self.amount(c, path, f"{kind}_up_to"), self.percent(c, path, f"{kind}_percent")
            )

        return CollectorLimits(credit=limit("credit"), write_off=limit("write_off"))

    def escalation(self, top: dict[str, Any]) -> Escalation:
        if "escalation" not in top:
            return Escalation()
        at: KeyPath = ("escalation",)
        t = self.table(top["escalation"], at, ESCALATION_KEYS)
        rules = []
        for path, r in self.tables(t, at, "recommend", RECOMMEND_KEYS):
            step = self.choice(r, path, "step", Step)
            if "step" not in r:
                self.at_key(path, f"say which step to recommend: step = {_choices(Step)}", bad=True)
            rules.append(
                EscalationRule(
                    step=step or Step.AGENCY,
                    after_days=self.optional_integer(r, path, "after_days"),
                    band=self.band(r, path),
                    broken_promises=self.optional_integer(r, path, "broken_promises"),
                    no_response_days=self.optional_integer(r, path, "no_response_days"),
                )
            )
        write_offs = []
        for path, w in self.tables(t, at, "write_off", WRITE_OFF_KEYS):
            if "after_days" not in w:
                self.at_key(path, "a write-off rule needs after_days", bad=True)
            write_offs.append(
                WriteOffRule(
                    after_days=self.integer(w, path, "after_days", 0),
                    band=self.band(w, path),
                    no_response_days=self.optional_integer(w, path, "no_response_days"),
                )
            )
        return Escalation(recommend=tuple(rules), write_off=tuple(write_offs))


def _number(at: KeyPath) -> int:
    """The 1-based number of the array entry at `at`."""
    index = at[-1]
    return index + 1 if isinstance(index, int) else 0


def _kind(value: Any) -> str:
    names: dict[type, str] = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
    }
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)
