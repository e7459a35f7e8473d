"""Every entry of the wording table, met by loading a small bad map: message, file, line, column."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import ValidationError

import servicemap as sm
from servicemap.mapfile.wording import WORDING, Wording, describe
from servicemap.mapfile.yaml_reader import parse_yaml
from servicemap.model import Blueprint

KINDS = "terminator, task, predefined, decision, delay, document, connector, parallel"


@dataclass(frozen=True)
class Case:
    """A map with one schema problem, the pydantic error type behind it, and what users read."""

    type: str
    text: str
    line: int
    column: int
    message: str
    step: str | None = None


def _step(entry: str) -> str:
    return f"name: x\nsteps:\n  - {{id: a, kind: task, {entry}}}\n"


def _calendar(day: str) -> str:
    return f"name: x\ncalendar:\n  hours:\n    {day}\nsteps:\n  - {{id: a, kind: task}}\n"


CASES = [
    Case("extra_forbidden", _step("fial: oops"), 3, 25,
         "unknown key 'fial' in task step (did you mean 'fail'?)", "a"),
    Case("extra_forbidden", "name: x\nsteps:\n  - id: a\n    kind: task\n    outcome: success\n",
         5, 5, "key 'outcome' is not allowed on a task step (allowed on: terminator)", "a"),
    Case("extra_forbidden", "name: x\nzzz: 1\nsteps:\n  - {id: a, kind: task}\n", 2, 1,
         "unknown key 'zzz' in map; expected one of: servicemap, name, description, "
         "arrivals, arrivals_cv, calendar, lanes, phases, steps, metadata"),
    Case("extra_forbidden",
         "name: x\nsteps:\n  - id: a\n    kind: decision\n    next:\n      - {to: a, lable: y}\n",
         6, 17, "unknown key 'lable' in branch (did you mean 'label'?)", "a"),
    Case("missing", "name: x\nsteps:\n  - kind: task\n    label: Work\n", 3, 5,
         "missing required key 'id' in task step"),
    Case("union_tag_invalid", "name: x\nsteps:\n  - {id: a, kind: tsk}\n", 3, 19,
         f"unknown step kind 'tsk' (did you mean 'task'?); expected one of: {KINDS}", "a"),
    Case("union_tag_invalid", "name: x\nsteps:\n  - {id: a, kind: [task]}\n", 3, 19,
         f"expected a step kind, found a list: one of {KINDS}", "a"),
    Case("union_tag_not_found", "name: x\nsteps:\n  - {id: a, label: Work}\n", 3, 5,
         f"missing required key 'kind' in step: one of {KINDS}", "a"),
    Case("literal_error",
         "name: x\nlanes:\n  - {id: c, layer: custmer}\nsteps:\n  - {id: a, kind: task}\n",
         3, 20, "the text 'custmer' is not allowed here (did you mean 'customer'?): "
         "expected 'customer', 'onstage', 'backstage' or 'support'"),
    Case("bool_type", _step("recovery: yes"), 3, 35,
         "expected true or false, found the text 'yes': write true or false "
         "(yes, no, on and off are text)", "a"),
    Case("list_type", "name: x\nlanes: customer\nsteps:\n  - {id: a, kind: task}\n", 2, 8,
         "expected a list, found the text 'customer'"),
    Case("dict_type", _step("metadata: 5"), 3, 35,
         "expected a mapping of keys and values, found the number 5", "a"),
    Case("model_type", "name: x\nlanes: [customer]\nsteps:\n  - {id: a, kind: task}\n", 2, 9,
         "expected a mapping of keys and values, found the text 'customer'"),
    Case("model_attributes_type", "name: x\nsteps:\n  - a\n", 3, 5,
         "expected a mapping of keys and values, found the text 'a'"),
    Case("too_short", "name: x\nsteps: []\n", 2, 8, "a map needs at least one step"),
    Case("text", "name: [x]\nsteps:\n  - {id: a, kind: task}\n", 1, 7,
         "expected text, found a list"),
    Case("identifier", "name: x\nsteps:\n  - {id: 1st, kind: task}\n", 3, 10,
         "'1st' is not an identifier: a letter, then letters, digits, '_' or '-' "
         "(at most 64 characters)", "1st"),
    Case("duration", _step("duration: 5 parsecs"), 3, 35,
         "unknown unit 'parsecs' in duration '5 parsecs': use s, min, h, d or w", "a"),
    Case("duration", _step("duration: PT"), 3, 35,
         "cannot read duration 'PT': expected a number and a unit (s, min, h, d or w), "
         "e.g. '90s', '5 min', '1h 30m'", "a"),
    Case("duration", _step("wait: 1000000000d"), 3, 31,
         "duration '1000000000d' is too long: at most 999,999,999 days", "a"),
    Case("duration_unit", _step("wait: 5"), 3, 31,
         "duration 5 has no unit: add a unit (s, min, h, d or w), e.g. '5m' or '5h'", "a"),
    Case("rate", "name: x\narrivals: 5/fortnight\nsteps:\n  - {id: a, kind: task}\n", 2, 11,
         "unknown unit 'fortnight' in rate '5/fortnight': use s, min, h, d or w"),
    Case("rate", "name: x\narrivals: 40\nsteps:\n  - {id: a, kind: task}\n", 2, 11,
         "'40' is not a rate: expected a number of cases per unit of time such as '40/h', "
         "'2.5/min' or '300/d'"),
    Case("fraction", _step("accuracy: 150%"), 3, 35,
         "'150%' is not a fraction in (0, 1] such as 0.98, or a percentage such as '98%'", "a"),
    Case("fraction", _step("accuracy: 98"), 3, 35,
         "98 is not a fraction in (0, 1] such as 0.98, or a percentage such as '98%' "
         "(did you mean '98%'?)", "a"),
    Case("fraction", _step("accuracy: '0.98'"), 3, 35,
         "'0.98' is quoted text, not a number: remove the quotes (expected a fraction in "
         "(0, 1] such as 0.98, or a percentage such as '98%')", "a"),
    Case("probability",
         "name: x\nsteps:\n  - id: a\n    kind: decision\n    next:\n"
         "      - {to: a, probability: -0.1}\n", 6, 30,
         "-0.1 is not a probability from 0 to 1 such as 0.93, or a percentage such as '93%'",
         "a"),
    Case("cost", _step("cost: .inf"), 3, 31,
         "inf is not a cost: expected a finite number >= 0 (the cost of one execution), "
         "such as 2.40", "a"),
    Case("capacity", _step("capacity: 2.5"), 3, 35,
         "2.5 is not a capacity: expected a whole number from 1 to 1000000000 (how many "
         "executions can run at once), such as 2", "a"),
    Case("version", "servicemap: 2\nname: x\nsteps:\n  - {id: a, kind: task}\n", 1, 13,
         "unsupported format version 2: this release reads version 1"),
    Case("next_branches", _step("next: [{to: a}]"), 3, 31,
         "only a decision takes a list of branches: give this step one next step id "
         "(or make it a 'decision')", "a"),
    Case("decision_next", "name: x\nsteps:\n  - {id: a, kind: decision, next: a}\n", 3, 35,
         "a decision takes a list of branches, each with 'to' and 'label', e.g. "
         "[{to: a, label: yes}, {to: b, label: no}]", "a"),
    Case("working_hours", _calendar("mon: 17:00-09:00"), 4, 10,
         "working hours '17:00-09:00': a range must end after it starts"),
    Case("working_hours", _calendar("tue: 9-5"), 4, 10,
         "cannot read working hours '9-5': expected ranges such as '09:00-17:00' or "
         "'08:00-12:00, 13:00-17:00' (24-hour clock, '24:00' for midnight at the end)"),
    Case("working_hours", _calendar("wed: 08:00-12:00, 11:00-17:00"), 4, 10,
         "working hours '08:00-12:00, 11:00-17:00': ranges must be in order and not overlap"),
    Case("timezone", "name: x\ncalendar:\n  timezone: Mars/Olympus\n  hours: {mon: 09:00-17:00}\n"
         "steps:\n  - {id: a, kind: task}\n", 3, 13,
         "'Mars/Olympus' is not a time zone: expected an IANA name such as 'Europe/Berlin' or "
         "'UTC' (install the tzdata package where the system has none)"),
    Case("literal_error", _calendar("monday: 09:00-17:00"), 4, 5,
         "key 'monday' is not allowed here (did you mean 'mon'?): expected 'mon', 'tue', "
         "'wed', 'thu', 'fri', 'sat' or 'sun'"),
    Case("too_short", "name: x\nlanes:\n  - {id: c, calendar: {hours: {}}}\n"
         "steps:\n  - {id: a, kind: task}\n", 3, 31,
         "a calendar needs working hours on at least one day, e.g. 'mon: 09:00-17:00'"),
    Case("extra_forbidden", "name: x\ncalendar: {hours: {mon: 09:00-17:00}, tz: UTC}\n"
         "steps:\n  - {id: a, kind: task}\n", 2, 39,
         "unknown key 'tz' in calendar; expected one of: timezone, hours, holidays"),
    Case("holiday", "name: x\ncalendar:\n  hours: {mon: 09:00-17:00}\n  holidays: [2026-13-01]\n"
         "steps:\n  - {id: a, kind: task}\n", 4, 14,
         "'2026-13-01' is not a date: expected a holiday as an ISO date such as '2026-12-25' "
         "(year-month-day)"),
]


def _error_types(text: str) -> list[str]:
    data = parse_yaml(text)[0]
    with pytest.raises(ValidationError) as info:
        Blueprint.model_validate(data, context={"defer_references": True})
    return [e["type"] for e in info.value.errors()]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.type)
def test_wording(case: Case) -> None:
    assert _error_types(case.text) == [case.type]
    with pytest.raises(sm.LoadError) as info:
        sm.loads(case.text, "bad.yaml")
    (problem,) = info.value.problems
    assert (problem.code, problem.rule, problem.level) == ("SM002", "schema", "error")
    assert (problem.file, problem.line, problem.column) == ("bad.yaml", case.line, case.column)
    assert problem.message == case.message
    assert problem.step == case.step


def test_every_table_entry_has_a_case() -> None:
    assert {c.type for c in CASES} == set(WORDING)


def test_unknown_error_types_keep_pydantic_message() -> None:
    error = {"type": "something_new", "loc": ("name",), "msg": "Value error, Something odd"}
    assert describe(error, {}) == Wording("something odd", ("name",))
    assert describe({"type": "x", "loc": (), "msg": ""}, {}).message == "invalid value"


def test_all_problems_at_once_in_file_order() -> None:
    text = ("name: [x]\nsteps:\n  - {id: a, kind: task, duration: 5, capacity: 0}\n"
            "  - {id: b, kind: tsk}\n")
    with pytest.raises(sm.LoadError) as info:
        sm.loads(text, "m.yaml")
    assert [(p.line, p.column) for p in info.value.problems] == [
        (1, 7), (3, 35), (3, 48), (4, 19)]
