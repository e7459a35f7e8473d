"""BPMN 2.0 import: mapping, located problems, hostile XML, check and convert."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.api import bpmn_bytes, convert
from servicemap.checking import check, check_files
from servicemap.cli import main
from servicemap.mapfile.bpmn import BpmnSourceMap, import_problems, loads_bpmn
from servicemap.problems import LoadError, Problem

DATA = Path(__file__).resolve().parent.parent / "data" / "bpmn"
EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples" / "bpmn"
NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _xml(body: str) -> bytes:
    text = f'<definitions {NS} id="d">\n<process id="p">\n{body}\n</process>\n</definitions>'
    return text.encode()


def _load_problems(path: Path | bytes, **options: bool) -> list[Problem]:
    with pytest.raises(LoadError) as info:
        if isinstance(path, bytes):
            loads_bpmn(path, "t.bpmn", **options)
        else:
            sm.load(path, **options)
    return list(info.value.problems)


def _where(problems: list[Problem]) -> list[tuple[str, int | None, int | None]]:
    return [(p.code, p.line, p.column) for p in problems]


# -- public material ---------------------------------------------------------


def test_clean_reference_model_imports_with_no_problem() -> None:
    path = DATA / "miwg-A.1.0.bpmn"  # ISO-8859-1, ids starting with '_'
    bp = sm.load(path)
    assert [s.kind for s in bp.steps] == ["terminator", "task", "task", "task", "terminator"]
    assert [s.label for s in bp.steps][1:4] == ["Task 1", "Task 2", "Task 3"]
    first = bp.steps[0]
    assert first.id == "n93c466ab-b271-4376-a427-f4c353d55ce8"
    assert first.metadata == {"bpmn-id": "_93c466ab-b271-4376-a427-f4c353d55ce8"}
    assert check(path) == []


def test_bpmnlint_correct_fixture_is_clean() -> None:
    assert check(DATA / "bpmnlint-no-implicit-end-correct.bpmn") == []


def test_dead_end_located_at_the_bpmn_task() -> None:
    problems = check(DATA / "bpmnlint-no-implicit-end-incorrect.bpmn")
    dead = [p for p in problems if p.code == "SM103"]
    assert _where(dead) == [("SM103", 7, 5)]
    assert dead[0].step == "Task_1"
    assert dead[0].file is not None and dead[0].file.endswith("no-implicit-end-incorrect.bpmn")


def test_unreachable_located_at_the_bpmn_task() -> None:
    problems = check(DATA / "bpmnlint-no-disconnected-incorrect.bpmn")
    assert ("SM104", 16, 5) in _where(problems)
    assert {p.step for p in problems} == {"Task_2"}


def test_loop_with_no_exit_located_in_the_bpmn_file() -> None:
    problems = check(DATA / "loop-no-exit.bpmn")
    trap = [p for p in problems if p.code == "SM105"]
    assert _where(trap) == [("SM105", 4, 5)]
    assert "'Review'" in trap[0].message and "'AskMore'" in trap[0].message


def test_non_interrupting_boundary_event_is_an_error_unless_approximated() -> None:
    path = DATA / "miwg-A.3.0.bpmn"
    problems = _load_problems(path)
    assert _where(problems) == [("SM002", 15, 9)]
    assert "non-interrupting boundary event" in problems[0].message
    bp = sm.load(path, approximate=True)
    warnings = import_problems(bp)
    assert [(p.code, p.level, p.line) for p in warnings] == [("SM002", "warning", 15)]
    assert ("SM002", 15, 9) in _where(check(path, approximate=True))


# -- mapping -----------------------------------------------------------------


def test_example_maps_every_element_kind() -> None:
    bp = sm.load(EXAMPLES / "claim.bpmn")
    kinds = {s.id: s.kind for s in bp.steps}
    assert kinds == {"Filed": "terminator", "Assess": "task", "Covered": "decision",
                     "WaitDocs": "delay", "Pay": "task", "Pay-outcome": "decision",
                     "Letter": "document", "Paid": "terminator", "Refused": "terminator"}
    covered = bp.step("Covered")
    assert isinstance(covered, sm.Decision)
    assert [(b.to, b.label) for b in covered.next] == [
        ("Pay", "yes"), ("Letter", "no"), ("WaitDocs", "documents missing")]
    outcome = bp.step("Pay-outcome")
    assert isinstance(outcome, sm.Decision)
    assert [(b.to, b.label, b.failure) for b in outcome.next] == [
        ("Paid", "completed", False), ("Assess", "payment bounced", True)]
    assert [(lane.id, lane.label) for lane in bp.lanes] == [
        ("Customer", "Insurer / Customer"), ("Handler", "Insurer / Claims handler"),
        ("Finance", "Insurer / Finance")]
    assert bp.step("Pay").lane == "Finance"
    assert check(EXAMPLES / "claim.bpmn") == []


def test_join_gateway_dissolves_and_error_end_fails() -> None:
    bp = loads_bpmn(_xml('''<startEvent id="s"/><exclusiveGateway id="j"/><task id="t"/>
<endEvent id="e"><errorEventDefinition/></endEvent>
<sequenceFlow id="f1" sourceRef="s" targetRef="j"/>
<sequenceFlow id="f2" sourceRef="j" targetRef="t"/>
<sequenceFlow id="f3" sourceRef="t" targetRef="e"/>'''), "t.bpmn")
    assert [(s.id, s.targets()) for s in bp.steps] == [("s", ["t"]), ("t", ["e"]), ("e", [])]
    end = bp.step("e")
    assert isinstance(end, sm.Terminator) and end.outcome == "failure"


def test_expanded_sub_process_is_flattened_collapsed_one_is_predefined() -> None:
    body = '''<startEvent id="s"/>
<subProcess id="sub"><startEvent id="s2"/><task id="inner"/><endEvent id="e2"/>
<sequenceFlow id="g1" sourceRef="s2" targetRef="inner"/>
<sequenceFlow id="g2" sourceRef="inner" targetRef="e2"/></subProcess>
<callActivity id="call"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
<sequenceFlow id="f2" sourceRef="sub" targetRef="call"/>
<sequenceFlow id="f3" sourceRef="call" targetRef="e"/>'''
    di = ('<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI">'
          '<bpmndi:BPMNPlane><bpmndi:BPMNShape id="x" bpmnElement="sub" isExpanded="true"/>'
          '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>')
    flat = loads_bpmn(_xml(body).replace(b"</definitions>", di.encode() + b"</definitions>"),
                      "t.bpmn")
    assert [(s.id, s.kind, s.targets()) for s in flat.steps] == [
        ("s", "terminator", ["inner"]), ("inner", "task", ["call"]),
        ("call", "predefined", ["e"]), ("e", "terminator", [])]
    assert any("flattened" in n for n in flat.metadata["bpmn"]["notes"])
    collapsed = loads_bpmn(_xml(body), "t.bpmn")
    assert collapsed.step("sub").kind == "predefined"


def test_link_events_become_connectors() -> None:
    bp = loads_bpmn(_xml('''<startEvent id="s"/>
<intermediateThrowEvent id="go"><linkEventDefinition name="A"/></intermediateThrowEvent>
<intermediateCatchEvent id="come"><linkEventDefinition name="A"/></intermediateCatchEvent>
<endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="go"/>
<sequenceFlow id="f2" sourceRef="come" targetRef="e"/>'''), "t.bpmn")
    assert [(s.kind, s.label) for s in bp.steps if s.kind == "connector"] == [
        ("connector", "A"), ("connector", "A")]
    assert check(bp) == []


def test_pools_become_lane_groups_and_crossing_flows_are_errors() -> None:
    xml = f'''<definitions {NS}>
<collaboration id="c"><participant id="a" name="Shop" processRef="p1"/>
<participant id="b" name="Bank" processRef="p2"/>
<messageFlow id="m" sourceRef="t1" targetRef="t2" name="payment"/></collaboration>
<process id="p1"><startEvent id="s1"/><task id="t1"/><endEvent id="e1"/>
<sequenceFlow id="f1" sourceRef="s1" targetRef="t1"/>
<sequenceFlow id="f2" sourceRef="t1" targetRef="e1"/></process>
<process id="p2"><startEvent id="s2"/><task id="t2"/><endEvent id="e2"/>
<sequenceFlow id="g1" sourceRef="s2" targetRef="t2"/>
<sequenceFlow id="g2" sourceRef="t2" targetRef="e2"/></process>
</definitions>'''
    bp = loads_bpmn(xml.encode(), "t.bpmn")
    assert [(lane.id, lane.label) for lane in bp.lanes] == [("p1", "Shop"), ("p2", "Bank")]
    assert bp.step("t2").lane == "p2"
    assert bp.metadata["bpmn"]["message-flows"] == [{"from": "t1", "to": "t2",
                                                     "label": "payment"}]
    crossing = xml.replace('targetRef="e1"', 'targetRef="e2"')
    problems = _load_problems(crossing.encode())
    assert [(p.code, p.line) for p in problems] == [("SM002", 7)]
    assert "crosses from pool 'Shop' to pool 'Bank'" in problems[0].message


def test_every_reference_problem_reported_at_once_located() -> None:
    problems = _load_problems(DATA / "broken-references.bpmn")
    assert _where(problems) == [("SM004", 6, 5), ("SM004", 8, 5), ("SM004", 9, 5),
                                ("SM002", 12, 5)]
    messages = " | ".join(p.message for p in problems)
    assert "link 'A' is thrown here but" in messages
    assert "'f1' has no targetRef" in messages
    assert "unknown element 'nowhere'" in messages
    assert "inclusive gateway 'either'" in messages


def test_parallel_gateways_are_parallel_steps() -> None:
    bp = sm.load(DATA / "parallel.bpmn")
    assert import_problems(bp) == []
    assert (bp.step("fork").kind, bp.step("join").kind) == ("parallel", "parallel")
    assert bp.step("fork").label == "Both"
    assert bp.step("fork").targets() == ["pack", "bill"]
    assert [s.targets() for s in bp.steps if s.id in ("pack", "bill", "join")] == [
        ["join"], ["join"], ["end"]]
    assert [p for p in sm.check(DATA / "parallel.bpmn") if p.level == "error"] == []


def test_duplicate_ids_and_sanitised_ids() -> None:
    problems = _load_problems(_xml('<task id="t"/>\n<task id="t"/>'))
    assert _where(problems) == [("SM003", 4, 1)]
    bp = loads_bpmn(_xml('<task id="Task 1.a"/><task id="Task-1-a"/>'), "t.bpmn")
    assert [s.id for s in bp.steps] == ["Task-1-a", "Task-1-a-2"]
    assert bp.steps[0].metadata == {"bpmn-id": "Task 1.a"}


def test_source_map_points_flows_at_sequence_flows() -> None:
    bp = sm.load(EXAMPLES / "claim.bpmn")
    assert isinstance(bp.source, BpmnSourceMap)
    index = bp.step_index("Covered")
    assert bp.source.locate(("steps", index)) == (26, 5)
    assert bp.source.locate(("steps", index, "next", 1, "label")) == (42, 5)


# -- hostile and broken XML --------------------------------------------------


@pytest.mark.parametrize("name", ["billion-laughs.bpmn", "xxe.bpmn"])
def test_entities_and_dtds_refused_fast_and_located(name: str) -> None:
    start = time.monotonic()
    problems = _load_problems(DATA / name)
    assert time.monotonic() - start < 2
    assert [p.code for p in problems] == ["SM001"]
    assert "DTD" in problems[0].message and problems[0].line == 2


@pytest.mark.parametrize(("data", "where", "words"), [
    (b"<definitions><process>", ("SM001", 1, 23), "not well-formed"),
    (b"<a>\xff</a>", ("SM001", 1, 4), "not well-formed"),
    (b"", ("SM001", 1, 1), "no element found"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', ("SM001", 1, 1), "not BPMN 2.0"),
    (("<a>" * 300).encode(), ("SM001", 1, 601), "nested more than 200"),
])
def test_broken_xml_is_a_located_sm001(data: bytes, where: tuple[str, int, int],
                                       words: str) -> None:
    problems = _load_problems(data)
    assert _where(problems) == [where]
    assert words in problems[0].message


def test_xxe_reads_no_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY s SYSTEM "{secret.as_uri()}">]>\n'
           f'<definitions {NS}><process id="p"><task id="t" name="&s;"/></process>'
           '</definitions>')
    problems = _load_problems(xml.encode())
    assert "TOP SECRET" not in str(problems)


# -- check and convert -------------------------------------------------------


def test_folder_search_takes_bpmn_files(tmp_path: Path) -> None:
    (tmp_path / "claim.bpmn").write_bytes((EXAMPLES / "claim.bpmn").read_bytes())
    (tmp_path / "dead.bpmn").write_bytes(
        (DATA / "bpmnlint-no-implicit-end-incorrect.bpmn").read_bytes())
    result = check_files([tmp_path])
    assert result.files == 2
    assert {p.code for p in result.problems} == {"SM102", "SM103"}


def test_convert_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "claim.yaml"
    bp, warnings = convert(EXAMPLES / "claim.bpmn", out)
    assert warnings == []
    again = sm.load(out)
    assert again == bp
    assert check(out) == []


def test_convert_refuses_yaml(tmp_path: Path) -> None:
    yaml_map = tmp_path / "m.yaml"
    yaml_map.write_text("name: x\nsteps:\n  - {id: a, kind: terminator}\n")
    with pytest.raises(ValueError, match=r"not a BPMN 2\.0 file"):
        convert(yaml_map)


def test_cli_convert_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "map.yaml"
    assert main(["convert", str(EXAMPLES / "claim.bpmn"), "-o", str(out)]) == 0
    assert "name: Insurance claim" in out.read_text()
    assert main(["convert", str(DATA / "parallel.bpmn"), "-o", str(tmp_path / "p.yaml")]) == 0
    assert "kind: parallel" in (tmp_path / "p.yaml").read_text()
    assert main(["convert", str(DATA / "inclusive.bpmn"), "-o", str(tmp_path / "i.yaml")]) == 1
    err = capsys.readouterr().err
    assert "inclusive.bpmn:5:5: SM002" in err and not (tmp_path / "i.yaml").exists()
    assert main(["convert", "--approximate", str(DATA / "inclusive.bpmn"), "-o",
                 str(tmp_path / "i.yaml")]) == 0
    assert "[warning]" in capsys.readouterr().err
    assert main(["check", str(DATA / "loop-no-exit.bpmn")]) == 1
    assert "loop-no-exit.bpmn:4:5: SM105" in capsys.readouterr().out


def test_hostile_file_never_gives_a_traceback() -> None:
    run = subprocess.run([sys.executable, "-m", "servicemap", "check",
                          str(DATA / "billion-laughs.bpmn")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    assert "SM001" in run.stdout


def test_xml_suffix_in_bpmn_namespace_is_read_as_bpmn(tmp_path: Path) -> None:
    path = tmp_path / "process.xml"
    path.write_bytes((EXAMPLES / "claim.bpmn").read_bytes())
    assert sm.load(path).name == "Insurance claim"


# -- servicemap extensions: what an export keeps, read back located ----------

SM = 'xmlns:sm="urn:servicemap:bpmn:1"'


def _ext_xml(data: str, branch: str = '{"probability": 0.5}') -> bytes:
    """A start, a task carrying ``data``, a decision whose first flow carries ``branch``."""
    text = f'''<definitions {NS} {SM} id="d">
<process id="p">
<startEvent id="s"/>
<task id="t" name="Work">
  <extensionElements>
    <sm:data>{data}</sm:data>
  </extensionElements>
</task>
<exclusiveGateway id="g"/>
<endEvent id="a"/>
<endEvent id="b"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
<sequenceFlow id="f2" sourceRef="t" targetRef="g"/>
<sequenceFlow id="f3" sourceRef="g" targetRef="a" name="yes">
  <extensionElements><sm:branch>{branch}</sm:branch></extensionElements>
</sequenceFlow>
<sequenceFlow id="f4" sourceRef="g" targetRef="b" name="no"/>
</process>
</definitions>'''
    return text.encode()


def test_extension_fields_are_read_back_and_located() -> None:
    bp = loads_bpmn(_ext_xml('{"duration": "5m", "cost": 3, "evidence": "form",'
                             ' "metadata": {"owner": "ops"}}'), "t.bpmn")
    work = bp.step("t")
    assert isinstance(work, sm.Task)
    assert (work.duration, work.cost, work.evidence) == (timedelta(minutes=5), 3.0, "form")
    assert work.metadata == {"owner": "ops"}
    gate = bp.step("g")
    assert isinstance(gate, sm.Decision)
    assert [b.probability for b in gate.next] == [0.5, None]
    assert bp.source.locate(("steps", 1, "duration")) == (6, 5)  # <sm:data>
    assert bp.source.locate(("steps", 2, "next", 0, "probability")) == (15, 22)  # <sm:branch>
    # a rule's problem on a branch without probability points at the gateway (line 9)
    rule = [p for p in check(bp) if p.code == "SM203"]
    assert [(p.line, p.column) for p in rule] == [(9, 1)]


@pytest.mark.parametrize(("data", "branch", "where", "words"), [
    ('{"duration": "5 parsecs"}', "{}", [(6, 5)], "duration"),
    ('{"duration": 5m}', "{}", [(6, 5)], "not valid JSON"),
    ('["5m"]', "{}", [(6, 5)], "must be a JSON object"),
    ('{"next": "s"}', "{}", [(6, 5)], "sets 'next', which the BPMN itself gives"),
    ('{"cost": NaN}', "{}", [(6, 5)], "NaN is not a JSON number"),
    ('{"label": 5}', "{}", [(6, 5)], "expected text, found the number 5"),
    ('{"metadata": "x"}', "{}", [(6, 5)], "expected a mapping"),
    ('{"cost": -1}', '{"probability": 2}', [(6, 5), (15, 22)], "probability"),
    ("[" * 100_000, "{}", [(6, 5)], "not valid JSON"),
])
def test_bad_extension_values_are_located_errors(data: str, branch: str,
                                                 where: list[tuple[int, int]],
                                                 words: str) -> None:
    problems = _load_problems(_ext_xml(data, branch))
    assert [(p.line, p.column) for p in problems] == where
    assert {p.code for p in problems} == {"SM002"}
    assert words in " ".join(p.message for p in problems)


def test_check_reports_extension_errors_with_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "x.bpmn"
    path.write_bytes(_ext_xml('{"capacity": 0}'))
    problems = check(path)
    assert [(p.code, p.line, p.column) for p in problems] == [("SM002", 6, 5)]
    assert main(["check", str(path)]) == 1


def test_edits_in_a_modeler_win_over_the_extension(tmp_path: Path) -> None:
    """Renaming a step or a branch, or changing a timer, in a modeler is what comes back."""
    bp = sm.Blueprint.model_validate({"name": "m", "steps": [
        {"id": "s", "kind": "terminator", "next": "w"},
        {"id": "w", "kind": "task", "label": "Work\nhard", "next": "q"},
        {"id": "q", "kind": "decision", "next": [
            {"to": "d", "label": "Yes\nreally", "probability": 0.9},
            {"to": "e", "probability": 0.1}]},
        {"id": "d", "kind": "delay", "duration": "1d", "next": "e"},
        {"id": "e", "kind": "terminator"}]})
    data = bpmn_bytes(bp)
    same = loads_bpmn(data, "m.bpmn")
    assert same.model_dump(mode="json") == bp.model_dump(mode="json")
    edited = (data.replace(b'name="Work&#10;hard"', b'name="Work harder"')
              .replace(b'name="Yes&#10;really"', b'name="Sure"')
              .replace(b"PT86400S", b"PT3600S"))
    back = loads_bpmn(edited, "m.bpmn")
    assert back.step("w").label == "Work harder"
    q = back.step("q")
    assert isinstance(q, sm.Decision)
    assert [(b.label, b.probability) for b in q.next] == [("Sure", 0.9), (None, 0.1)]
    assert back.step("d").duration == timedelta(hours=1)


def _flows_of(bp: sm.Blueprint) -> set[tuple[str, str]]:
    return {(s.id, t) for s in bp.steps for t in s.targets()}


@pytest.mark.parametrize("path", [
    EXAMPLES / "claim.bpmn", DATA / "miwg-A.1.0.bpmn", DATA / "parallel.bpmn",
    DATA / "loop-no-exit.bpmn", DATA / "bpmnlint-no-implicit-end-incorrect.bpmn",
    DATA / "bpmnlint-no-disconnected-incorrect.bpmn", DATA / "groups.bpmn",
    DATA / "camunda-order-handling.bpmn", DATA / "camunda-invoice-payment.bpmn",
    DATA / "camunda-resolve-bean.bpmn", DATA / "loop-no-exit-drawn.bpmn",
], ids=lambda p: p.name)
def test_bpmn_to_map_to_bpmn_keeps_every_flow_and_element(path: Path, tmp_path: Path) -> None:
    """BPMN -> YAML -> BPMN: the second BPMN has every flow node and sequence flow of the first.

    Counted in the XML with defusedxml, apart from the import: joins that
    dissolve (an exclusive gateway with one way out) are the only nodes that
    may go, each flow through one becoming a flow past it; the export's own
    merge gateways (``<step>_merge``, before a step several flows lead into) and
    boundary events' decisions (``-outcome``) the only ones that may come.
    """
    yaml_path = tmp_path / "map.yaml"
    bp, _ = convert(path, yaml_path)
    out = tmp_path / "again.bpmn"
    convert(yaml_path, out)
    ids = {s.id: (s.metadata or {}).get("bpmn-id", s.id) for s in bp.steps}
    before, after = _xml_graph(path.read_bytes(), {}), _xml_graph(out.read_bytes(), ids)
    dissolved, added = set(before[0]) - set(after[0]), set(after[0]) - set(before[0])
    assert {before[0][n] for n in dissolved} <= {"exclusiveGateway", "boundaryEvent"}
    assert all(after[0][n] == "exclusiveGateway" and n.endswith(("-outcome", "_merge"))
               for n in added)
    assert _past(before[1], dissolved) == _past(after[1], added)
    assert sm.load(out).model_dump(mode="json") == sm.load(yaml_path).model_dump(mode="json")


def _xml_graph(data: bytes, ids: dict[str, str]) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Flow nodes (id -> element) and flows of a BPMN file's processes, ids translated.

    Only a process's own children: the content of a sub-process kept as one
    step is not imported (docs/bpmn.md). A boundary event counts as a flow
    from its activity into it.
    """
    import defusedxml.ElementTree as DET

    model = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    nodes: dict[str, str] = {}
    flows: set[tuple[str, str]] = set()
    for process in DET.fromstring(data).iter(f"{model}process"):
        for el in process:
            tag = el.tag.replace(model, "")
            ident = ids.get(el.get("id", ""), el.get("id", ""))
            if tag == "sequenceFlow":
                a, b = el.get("sourceRef", ""), el.get("targetRef", "")
                flows.add((ids.get(a, a), ids.get(b, b)))
            elif tag.endswith(("Task", "Event", "Gateway")) or tag in (
                    "task", "callActivity", "subProcess"):
                nodes[ident] = tag
                if tag == "boundaryEvent":
                    flows.add((el.get("attachedToRef", ""), ident))
    return nodes, flows


def _past(flows: set[tuple[str, str]], dissolved: set[str]) -> set[tuple[str, str]]:
    """The flows with each dissolved node bridged: a -> j -> b becomes a -> b."""
    out = {f for f in flows if f[0] not in dissolved}
    changed = True
    while changed:
        changed = False
        for a, b in list(out):
            if b in dissolved:
                out.discard((a, b))
                out |= {(a, c) for j, c in flows if j == b}
                changed = True
    return out


# -- groups as phases ----------------------------------------------------------


def test_groups_spanning_their_columns_become_phases() -> None:
    """groups.bpmn (drawn by hand, bounds in the file): 'Before' spans x 65-270 top to bottom,
    holding start (centre x 98) and order (200); 'During' x 280-570 holds pack (350) and ship
    (500); 'Late' (x 590-650, y 190-250) holds end (618, 218) but not notify (618, 68),
    drawn in the same column: no phase, a note."""
    import xmlschema

    path = DATA / "groups.bpmn"
    xmlschema.XMLSchema(str(DATA.parent / "schemas" / "bpmn" / "BPMN20.xsd")).validate(str(path))
    bp = sm.load(path)
    assert [(p.id, p.label) for p in bp.phases] == [("Before", "Before"), ("During", "Delivery")]
    assert {s.id: s.phase for s in bp.steps} == {
        "start": "Before", "order": "Before", "pack": "During", "ship": "During",
        "notify": None, "end": None}
    assert bp.metadata["bpmn"]["notes"] == [
        "group 'Late' (line 8) is not a phase: step 'notify' is drawn in its columns but "
        "outside the group"]
    assert bp.source.locate(("phases", 1)) == (7, 5)
    assert _where(check(path)) == [("SM302", 19, 5), ("SM302", 20, 5)]


def test_groups_without_shapes_or_overlapping_are_notes() -> None:
    data = (DATA / "groups.bpmn").read_bytes()
    moved = data.replace(b'"During_di" bpmnElement="During"><dc:Bounds x="280"',
                         b'"During_di" bpmnElement="During"><dc:Bounds x="200"')
    notes = loads_bpmn(moved, "g.bpmn").metadata["bpmn"]["notes"]
    assert "group 'During' (line 7) is not a phase: it overlaps the columns of phase " \
           "'Before'" in notes
    bare = loads_bpmn(data.split(b"<bpmndi:BPMNDiagram")[0] + b"</definitions>", "g.bpmn")
    assert bare.phases == []
    assert all("it has no shape in the diagram" in n for n in bare.metadata["bpmn"]["notes"])


# -- camunda-bpm-examples and a modeler-drawn loop ------------------------------


def test_boundary_event_on_an_expanded_sub_process_keeps_it_whole() -> None:
    """camunda order-handling: an interrupting boundary event on an expanded sub-process.

    Flattening the sub-process lost the event, so its task and end were
    reported unreachable (SM104); the sub-process now stays one predefined step
    and the event a failure branch of the decision after it.
    """
    path = DATA / "camunda-order-handling.bpmn"
    bp = sm.load(path)
    assert bp.step("Task_1nbdup3").kind == "predefined"
    outcome = bp.step("Task_1nbdup3-outcome")
    assert isinstance(outcome, sm.Decision)
    assert [(b.to, b.label, b.failure) for b in outcome.next] == [
        ("EndEvent_00asnpf", "completed", False), ("Task_1yjkccw", "Archive invoice?", True)]
    assert "Task_06z99p1" not in {s.id for s in bp.steps}  # inside the sub-process
    assert [(p.code, p.level) for p in check(path)] == [("SM401", "warning")]


@pytest.mark.parametrize("name", ["camunda-resolve-bean.bpmn", "camunda-loan-granting.bpmn"])
def test_camunda_examples_without_defects_pass(name: str) -> None:
    """resolve-bean has no incoming/outgoing lists (bpmnlint calls it disconnected);
    loan-granting has an expanded sub-process, flattened."""
    assert check(DATA / name) == []


def test_a_modeler_drawn_loop_with_no_way_out_is_found() -> None:
    """Drawn with incoming/outgoing lists and BPMNDI as a modeler writes: bpmnlint's
    recommended rules find nothing (benchmarks/bpmn_compare.py)."""
    problems = check(DATA / "loop-no-exit-drawn.bpmn")
    assert _where(problems) == [("SM105", 25, 5)]
    assert "'AskMore', 'Answered', 'Remind'" in problems[0].message


# -- fuzz: mutated diagrams load or fail located, never a traceback -------------

_FIELDS = ["duration", "wait", "capacity", "cost", "fail", "recovery", "evidence", "phase",
           "metadata", "outcome", "arrivals", "probability", "failure", "label", "lanes",
           "phases", "notes", "x"]
_VALUES: list[object] = [None, True, -1, 0, 1.5, 1e308, 10**30, "", "5m", "x" * 300, [],
                         [1, {"a": None}], {}, {"id": "q"}, "PT1S", "nan"]
_TAGS = ["task", "exclusiveGateway", "inclusiveGateway", "parallelGateway", "boundaryEvent",
         "subProcess", "callActivity", "intermediateThrowEvent", "intermediateCatchEvent",
         "endEvent", "startEvent", "group", "lane", "sequenceFlow", "dataObject", "bogus"]


def _mutants(rng: random.Random, data: bytes, count: int) -> list[bytes]:
    """``count`` mutations of one BPMN file, each a small structural or value change."""
    import xml.etree.ElementTree as ET

    import defusedxml.ElementTree as DET

    out = []
    for _ in range(count):
        root = DET.fromstring(data)
        parents = {child: parent for parent in root.iter() for child in parent}
        elements = list(parents)
        ids = [*(e.get("id", "") for e in elements if e.get("id")), "", "nowhere", "x y",
               "NaN", "-1e999", "\u202e"]
        for _ in range(rng.randint(1, 3)):
            el = rng.choice(elements)
            how = rng.randrange(6)
            if how == 0 and el in parents and el in list(parents[el]):
                parents[el].remove(el)
            elif how == 1:
                parents[el].append(el.makeelement(el.tag, dict(el.attrib)))
            elif how == 2 and el.attrib:
                el.set(rng.choice(sorted(el.attrib)), rng.choice(ids))
            elif how == 3:
                el.tag = "{http://www.omg.org/spec/BPMN/20100524/MODEL}" + rng.choice(_TAGS)
            elif how == 4 and el.tag.startswith("{urn:servicemap"):
                value = {rng.choice(_FIELDS): rng.choice(_VALUES) for _ in range(2)}
                el.text = rng.choice([json.dumps(value), json.dumps(value)[:-2], "[" * 50])
            elif how == 5:
                rng.choice(elements).append(el.makeelement(el.tag, dict(el.attrib)))
        out.append(ET.tostring(root))
    return out


def test_mutated_diagrams_load_or_fail_located() -> None:
    """Hundreds of mutated exports and public files: a map whose every check problem is
    located, or a LoadError whose every problem is; nothing else, ever."""
    rng = random.Random(12)
    seeds = [bpmn_bytes(sm.load(p)) for p in sorted(EXAMPLES.parent.glob("*.yaml"))[:3]]
    seeds += [(DATA / n).read_bytes() for n in ("camunda-order-handling.bpmn", "groups.bpmn",
                                                  "camunda-loan-granting.bpmn", "parallel.bpmn")]
    outcomes = {"loaded": 0, "refused": 0}
    for seed in seeds:
        for data in _mutants(rng, seed, 40):
            try:
                bp = loads_bpmn(data, "m.bpmn", approximate=rng.random() < 0.3)
            except LoadError as exc:
                problems = list(exc.problems)
                outcomes["refused"] += 1
            else:
                problems = check(bp)
                outcomes["loaded"] += 1
            assert all(isinstance(p.line, int) and p.line >= 1 and isinstance(p.column, int)
                       and p.column >= 1 for p in problems), problems
    assert outcomes["loaded"] > 20 and outcomes["refused"] > 20, outcomes
