"""The documentation stays true: every command, Python snippet and map in the docs is run.

README.md and docs/*.md are read block by block. Each runnable block is its
own test, named after the line of its opening fence (``README.md:114``), so a
failure points at the doc.

Python (```python, ```pycon)
    The blocks of one file run in order in one namespace, like the cells of a
    notebook, with a temporary folder holding copies of ``examples/`` and
    ``schema/`` as the working directory (so
    ``sm.load("examples/service_desk.yaml")`` works). A block written
    doctest-style (``>>>`` prompts) must print what it shows.
Commands (```sh, ```bash, ```console)
    The command lines of a block run one after another in one bash session
    (variables and ``cd`` carry over), in a fresh temporary folder holding
    copies of ``examples/`` and ``schema/``, with this environment's
    ``servicemap`` first on ``PATH`` and ``GITHUB_ACTIONS`` unset. Each
    command must exit 0 unless a comment on its line says ``exits N``. In a
    ```console block commands start with ``$ `` and the lines up to the next
    command are its output (standard output and error, as a terminal shows
    them), which must match; ``...`` matches any text, a line of its own any
    lines.
Maps (```yaml with a top-level ``steps:``)
    Load and check without error-level problems. A map meant to be broken
    names each code it must produce at the start of a comment
    (``# SM103: nothing follows``); in docs/rules.md, a "Failing example" must
    produce its section's rule and a "Passing example" must not.

Not run:

- command lines that start with an entry of ``SKIPPED_COMMANDS``: installing,
  building and cloning need the network or take minutes (CI runs the
  ``tasks.py`` commands itself);
- a block right after an HTML comment ``<!-- not-run: reason -->``. It shows as
  a skipped test with its reason (``pytest -rs`` lists them). Keep these rare.

Every fence names its language (```text for output and usage), so no command
hides in an untagged block. Relative links lead to files that exist,
docs/rules.md is what the rule docstrings generate, and the package tree of
docs/architecture.md names every module of the package and no other.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import servicemap as sm
from servicemap.rules.docs import rules_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DOC_FILES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]

PYTHON = {"python", "py", "pycon"}
SHELL = {"sh", "bash", "shell", "console"}
YAML = {"yaml", "yml"}

# Command lines the test does not run, and why.
SKIPPED_COMMANDS = (
    "pip install",        # installs: needs the network, changes the environment
    "python3 -m pip",     # installs or builds wheels: network, minutes
    "python3 -m build",   # builds in an isolated environment: network, minutes
    "python3 tasks.py",   # sets up .venv and runs everything: minutes; CI runs it
    "git clone",          # network
)

COMMAND_TIMEOUT_S = 300

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[^`\s]*)\s*$")
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>.*?)\s*-->$")
_EXITS = re.compile(r"\s#[^\n]*?\bexits (?P<status>\d+)\b")
_CODE = re.compile(r"\bSM\d{3}\b")
_STATES_CODE = re.compile(r"#\s*(SM\d{3})\b")  # a comment that starts with a code: "# SM103: ..."
_HEADING = re.compile(r"^#{1,6} ")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a doc."""

    doc: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    not_run: str | None  # the reason of a <!-- not-run: ... --> comment right before it
    before: str  # the last line of prose before the fence
    heading: str  # the nearest heading above the fence

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT).as_posix()}:{self.line}"


def read_blocks(doc: Path) -> list[Block]:
    """The fenced code blocks of a Markdown file, in order."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    heading = ""
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            if _HEADING.match(lines[i]):
                heading = lines[i]
            i += 1
            continue
        indent = len(match["indent"])
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        assert end < len(lines), f"{doc.name}:{i + 1}: code block never closed"
        previous = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        not_run = _NOT_RUN.match(previous)
        blocks.append(Block(
            doc=doc,
            line=i + 1,
            lang=match["lang"].lower(),
            text="".join(line[indent:] + "\n" for line in lines[i + 1:end]),
            not_run=not_run["reason"] if not_run else None,
            before=previous,
            heading=heading,
        ))
        i = end + 1
    return blocks


BLOCKS = [block for doc in DOC_FILES for block in read_blocks(doc)]


def params(langs: set[str], blocks: list[Block] = BLOCKS) -> list[Any]:
    """The blocks of these languages as test parameters; not-run blocks are skipped."""
    def marks(block: Block) -> list[Any]:
        if block.not_run is None:
            return []
        return [pytest.mark.skip(reason=f"not-run: {block.not_run}")]

    return [pytest.param(b, id=b.id, marks=marks(b)) for b in blocks if b.lang in langs]


# ---------------------------------------------------------------- every block

def test_docs_have_runnable_blocks() -> None:
    langs = {block.lang for block in BLOCKS}
    assert {"python", "sh", "console", "yaml"} <= langs, langs


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS])
def test_block_names_its_language(block: Block) -> None:
    assert block.lang, f"{block.id}: name the block's language (```text for output or usage)"
    if block.lang not in SHELL | PYTHON:
        prompts = [line for line in block.text.splitlines() if line.startswith(("$ ", ">>> "))]
        assert not prompts, (
            f"{block.id}: a ```{block.lang} block shows commands ({prompts[0]!r}): "
            "make it ```console or ```pycon so that it runs"
        )


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in BLOCKS if b.not_run])
def test_not_run_blocks_say_why(block: Block) -> None:
    assert len(block.not_run or "") >= 10, f"{block.id}: say why the block is not run"


# ---------------------------------------------------------------- Python

def is_doctest(block: Block) -> bool:
    return block.text.lstrip().startswith(">>>")


class Notebook:
    """The Python blocks of one doc, run in order in one namespace and one folder."""

    def __init__(self, blocks: list[Block], workdir: Path) -> None:
        self.blocks = [b for b in blocks if b.not_run is None]
        self.workdir = workdir
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self.outcome: dict[int, bool] = {}  # fence line -> ran without error

    def run(self, block: Block) -> None:
        """Run ``block``, after any earlier block of the doc that has not run yet."""
        for earlier in self.blocks:
            if earlier.line >= block.line:
                break
            if earlier.line not in self.outcome:
                try:
                    self._execute(earlier)
                except (Exception, pytest.fail.Exception):
                    self.outcome[earlier.line] = False
                else:
                    self.outcome[earlier.line] = True
            if not self.outcome[earlier.line]:
                pytest.skip(f"an earlier block of the doc failed: {earlier.id}")
        self.outcome[block.line] = False
        self._execute(block)
        self.outcome[block.line] = True

    def _execute(self, block: Block) -> None:
        cwd = Path.cwd()
        os.chdir(self.workdir)
        try:
            if is_doctest(block):
                self._doctest(block)
            else:
                # Padding with blank lines makes tracebacks give the doc's own line numbers.
                code = compile("\n" * block.line + block.text, str(block.doc), "exec")
                exec(code, self.namespace)
        finally:
            os.chdir(cwd)

    def _doctest(self, block: Block) -> None:
        test = doctest.DocTestParser().get_doctest(
            block.text, self.namespace, block.id, str(block.doc), block.line)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report: list[str] = []
        runner.run(test, out=report.append, clear_globs=False)
        self.namespace.update(test.globs)
        if runner.failures:
            pytest.fail("".join(report), pytrace=False)


def workspace(path: Path) -> Path:
    """A folder with copies of examples/ and schema/, as in a checkout."""
    for folder in ("examples", "schema"):
        shutil.copytree(ROOT / folder, path / folder)
    return path


@pytest.fixture(scope="session")
def notebooks() -> dict[Path, Notebook]:
    return {}


@pytest.mark.parametrize("block", params(PYTHON))
def test_python_block(block: Block, notebooks: dict[Path, Notebook],
                      tmp_path_factory: pytest.TempPathFactory) -> None:
    if block.doc not in notebooks:
        blocks = [b for b in BLOCKS if b.doc == block.doc and b.lang in PYTHON]
        notebooks[block.doc] = Notebook(blocks, workspace(tmp_path_factory.mktemp("notebook")))
    notebooks[block.doc].run(block)


def test_notebook_runs_blocks_in_order_and_checks_doctest_output(tmp_path: Path) -> None:
    def block(line: int, text: str) -> Block:
        return Block(doc=ROOT / "README.md", line=line, lang="pycon", text=text, not_run=None,
                     before="", heading="")

    first, good, bad = (block(1, ">>> x = 20\n"), block(5, ">>> x + 1\n21\n"),
                        block(9, ">>> x + 2\n21\n"))
    notebook = Notebook([first, good, bad], tmp_path)
    notebook.run(good)  # runs `first` before it
    assert notebook.namespace["x"] == 20
    with pytest.raises(pytest.fail.Exception, match="Expected:\n    21\nGot:\n    22"):
        notebook.run(bad)


# ---------------------------------------------------------------- commands

@dataclass(frozen=True)
class Command:
    line: int  # line in the doc
    text: str
    status: int  # the exit status the doc expects
    output: str | None  # the output a ```console block shows


def read_commands(block: Block) -> list[Command]:
    """The command lines of a shell block, with their expected status (and output)."""
    console = block.lang == "console"
    found: list[tuple[int, str, list[str]]] = []  # line, command, output lines
    pending: tuple[int, str] | None = None  # a command continued with a backslash
    for number, raw in enumerate(block.text.splitlines(), start=block.line + 1):
        if pending is not None:
            start, text = pending[0], f"{pending[1]} {raw.strip()}"
        elif console and not raw.startswith("$ "):
            assert found, f"{block.doc.name}:{number}: output before any '$ ' command"
            found[-1][2].append(raw)
            continue
        else:
            start, text = number, (raw[2:] if console else raw).strip()
            if not text or text.startswith("#"):
                continue
        pending = None
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        found.append((start, text, []))
    assert pending is None, f"{block.id}: the last command ends in a backslash"
    commands = []
    for line, text, output in found:
        status = _EXITS.search(text)
        commands.append(Command(line, text, int(status["status"]) if status else 0,
                                "\n".join(output) if console else None))
    return commands


def skipped(command: Command) -> bool:
    return command.text.startswith(SKIPPED_COMMANDS)


def matches(shown: str, actual: str) -> bool:
    """Whether output matches what the doc shows: ``...`` is any text, or any lines."""
    pattern = ""
    for line in shown.splitlines():
        if line.strip() == "...":
            pattern += r"(?:.*\n)*?"
        else:
            pattern += ".*?".join(re.escape(part) for part in line.rstrip().split("...")) + r"\n"
    cleaned = "".join(line.rstrip() + "\n" for line in actual.splitlines())
    return re.fullmatch(pattern, cleaned) is not None


def shell_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("GITHUB_ACTIONS", "SERVICEMAP_TRACEBACK"):
        env.pop(name, None)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"  # standard output and error interleaved as in a terminal
    return env


def run_session(commands: list[Command], cwd: Path) -> list[tuple[int, str] | None]:
    """Run commands one after another in one shell, as a reader at a terminal would.

    Variables and ``cd`` carry over from one command to the next. Returns each
    command's exit status and output (``None`` for the commands after one that
    ended the shell).
    """
    token = f"@@docs-{uuid.uuid4().hex}@@"
    script = ["exec 2>&1"]
    for index, command in enumerate(commands):
        # The command on a line of its own: a comment on its line ends there.
        script += [command.text, f"printf '\\n{token} {index} %d\\n' $?"]
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=shell_env(),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          timeout=COMMAND_TIMEOUT_S, check=False)
    text = done.stdout.decode("utf-8", errors="replace")
    results: list[tuple[int, str] | None] = [None] * len(commands)
    position = 0
    for marker in re.finditer(rf"\n{token} (\d+) (\d+)\n", text):
        results[int(marker[1])] = (int(marker[2]), text[position:marker.start()])
        position = marker.end()
    return results


@pytest.mark.skipif(shutil.which("bash") is None, reason="the commands are written for bash")
@pytest.mark.parametrize("block", params(SHELL))
def test_shell_block(block: Block, tmp_path: Path) -> None:
    commands = [c for c in read_commands(block) if not skipped(c)]
    if not commands:
        pytest.skip("only commands in SKIPPED_COMMANDS (install, build, clone, tasks.py)")
    results = run_session(commands, workspace(tmp_path))
    wrong = []
    for command, result in zip(commands, results, strict=True):
        where = f"{block.doc.relative_to(ROOT).as_posix()}:{command.line}: `{command.text}`"
        if result is None:
            wrong.append(f"{where} did not run: an earlier command ended the shell")
            break
        status, output = result
        if status != command.status:
            wrong.append(f"{where} exited {status}, the doc says {command.status}; "
                         f"it printed:\n{output[-3000:]}")
        elif command.output is not None and not matches(command.output, output):
            wrong.append(f"{where} printed\n{output}\nthe doc shows\n{command.output}")
    assert not wrong, "\n\n".join(wrong)


def test_command_parsing() -> None:
    block = Block(doc=ROOT / "README.md", line=10, lang="console", before="", heading="",
                  not_run=None, text="$ servicemap check x  # exits 1\nx:1:1: ...\n...\n"
                                      "$ servicemap \\\n  rules\n")
    first, second = read_commands(block)
    assert (first.line, first.text, first.status) == (11, "servicemap check x  # exits 1", 1)
    assert first.output == "x:1:1: ...\n..."
    assert (second.line, second.text, second.status, second.output) == (
        14, "servicemap rules", 0, "")
    assert matches(first.output, "x:1:1: SM103 dead end\n1 error\n")
    assert not matches(first.output, "y:1:1: SM103\n")
    assert matches("a\n...\nz", "a\nb\nc\nz\n") and matches("a\n...\nz", "a\nz\n")
    assert not matches("a\nz", "a\nb\nz\n")


# ---------------------------------------------------------------- maps

def is_map(block: Block) -> bool:
    return block.lang in YAML and re.search(r"(?m)^steps:", block.text) is not None


def problems_of(text: str, name: str) -> list[sm.Problem]:
    try:
        blueprint = sm.loads(text, filename=name)
    except sm.LoadError as error:
        return list(error.problems)
    return sm.check(blueprint)


@pytest.mark.parametrize("block", params(YAML, [b for b in BLOCKS if is_map(b)]))
def test_map_block(block: Block) -> None:
    problems = problems_of(block.text, block.id)
    found = {p.code for p in problems}
    listing = "\n".join(str(p) for p in problems) or "(no problems)"
    stated = set(_STATES_CODE.findall(block.text))
    rule = _CODE.search(block.heading)
    if rule and block.before.startswith("Passing example"):
        assert rule[0] not in found, f"{block.id}: the passing example gives:\n{listing}"
        return
    if rule and block.before.startswith("Failing example"):
        stated.add(rule[0])
    if stated:
        assert stated <= found, f"{block.id}: the doc says {sorted(stated)}, check says:\n{listing}"
    else:
        errors = [p for p in problems if p.level == "error"]
        assert not errors, f"{block.id}: the map has errors the doc does not mention:\n{listing}"


# ---------------------------------------------------------------- links and claims

_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_relative_links_exist(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for match in _LINK.finditer(text):
        target = match["target"].split("#", 1)[0]
        if not target or re.match(r"[a-z]+:", target):
            continue
        line = text.count("\n", 0, match.start()) + 1
        assert (doc.parent / target).exists(), f"{doc.name}:{line}: {target} does not exist"


UNPUBLISHED = ("servicemap.dev", "github.com/servicemap", "pypi.org", "pip install servicemap",
               "rev: v0.1.0")


@pytest.mark.parametrize("doc", [*DOC_FILES, ROOT / ".pre-commit-hooks.yaml"],
                         ids=lambda d: d.relative_to(ROOT).as_posix())
def test_docs_send_users_only_where_servicemap_is(doc: Path) -> None:
    """servicemap is installed from a checkout or a wheel: no PyPI, site or public repo yet."""
    text = doc.read_text(encoding="utf-8")
    assert not [claim for claim in UNPUBLISHED if claim in text]


# ---------------------------------------------------------------- generated and worked docs

def test_rules_reference_is_current() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: regenerate it from the rule docstrings"
    )


def _block_after(doc: Path, heading: str, lang: str) -> Block:
    return next(b for b in read_blocks(doc) if b.heading == heading and b.lang == lang)


def listed_modules(tree: str) -> set[str]:
    """The modules a package tree of docs/architecture.md names, as paths below the package."""
    listed: set[str] = set()
    folder = ""
    for line in tree.splitlines():
        if match := re.match(r"^  (\S+)", line):  # a module or folder of the package itself
            name = match[1]
            folder = name if name.endswith("/") else ""
            if not folder:
                listed.add(name)
        elif match := re.match(r"^    (\S+\.py)\b", line):  # a module of the folder above
            listed.add(folder + match[1])
    return listed


def test_architecture_names_every_module_and_only_those() -> None:
    package = ROOT / "src" / "servicemap"
    tree = _block_after(DOCS / "architecture.md", "## The package", "text").text
    listed = listed_modules(tree)
    actual = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    rules = {m for m in actual if m.startswith("rules/") and m not in listed}
    # "rules/<name>.py" stands for the rule modules; a folder's line stands for its __init__.py.
    assert "rules/<name>.py" in listed
    assert all("\nID = " in (package / m).read_text(encoding="utf-8") for m in rules), rules
    unlisted = {m for m in actual - rules - listed
                if not (m.endswith("/__init__.py") and m.count("/") == 1)}
    assert not unlisted, f"docs/architecture.md does not say what these do: {sorted(unlisted)}"
    missing = listed - actual - {"rules/<name>.py"}
    assert not missing, f"docs/architecture.md names modules that do not exist: {sorted(missing)}"


def test_analysis_worked_example_matches_hand_calculation() -> None:
    block = _block_after(DOCS / "analysis.md", "## A worked example", "yaml")
    result = sm.analyze(sm.loads(block.text))
    s = result.summary
    # Hand calculation in docs/analysis.md: visits of the loop 1 / (1 - 0.2) = 1.25.
    assert s.process_time_s == pytest.approx((4 + 1.25 * 10) * 60)
    # Lead time counts the queue waits: record 45.71 s (M/M/2, a = 0.8: C = 0.2286,
    # Wq = C / (30 - 12) h), solve 0.702247 / 3 h = 14.04 min on each of 1.25 visits.
    queues = 0.228571 / 18 * 60 + 1.25 * 0.702247 / 3 * 60
    assert s.lead_time_s == pytest.approx((2 + 4 + 1.25 * 10 + queues) * 60, rel=1e-5)
    assert s.lead_time_breakdown["queue_s"] == pytest.approx(queues * 60, rel=1e-5)
    assert s.activity_ratio == pytest.approx(16.5 / (18.5 + queues), rel=1e-5)
    assert s.cost == pytest.approx(3 + 1.25 * 8)
    assert s.rolled_accuracy == pytest.approx(0.95)
    assert s.bottleneck == "solve"
    assert s.max_throughput_per_h == pytest.approx(60 / (1.25 * 10 / 3))
    steps = {row["id"]: row for row in result.to_dict()["steps"]}
    assert steps["solve"]["utilisation"] == pytest.approx(15 / 18)
    # Erlang C, c = 3, a = 2.5: P(wait) = 0.7022; Wq = P / (c*mu - lambda) h.
    assert steps["solve"]["queue_wait_s"] == pytest.approx(0.702247 / 3 * 3600, rel=1e-4)
    assert steps["record"]["utilisation"] == pytest.approx(0.4)


def test_analysis_worked_example_prints_what_the_doc_shows() -> None:
    doc = DOCS / "analysis.md"
    block = _block_after(doc, "## A worked example", "yaml")
    shown = _block_after(doc, "## A worked example", "text")
    printed = sm.analyze(sm.loads(block.text)).to_text()
    assert matches(shown.text, printed), f"to_text() prints\n{printed}\nthe doc shows\n{shown.text}"
