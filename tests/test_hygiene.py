"""Project rules that a reader can check by eye, checked by machine."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for d in ("scratchnet", "playground", "pages", "bench") for p in (ROOT / d).rglob("*.py"))
SOURCES += [p for p in [ROOT / "app.py"] if p.exists()]
GLOBAL_RNG = {
    "seed",
    "rand",
    "randn",
    "randint",
    "random",
    "permutation",
    "shuffle",
    "normal",
    "uniform",
    "choice",
    "standard_normal",
    "random_sample",
}


def attribute_chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_global_numpy_rng_no_assert_no_pickle(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Assert), f"{path}:{node.lineno} uses assert"
        if isinstance(node, ast.Call):
            chain = attribute_chain(node.func)
            assert not (chain.startswith(("np.random.", "numpy.random.")) and chain.split(".")[-1] in GLOBAL_RNG), (
                f"{path}:{node.lineno} calls numpy's global RNG ({chain})"
            )
            assert chain not in ("eval", "exec"), f"{path}:{node.lineno} calls {chain}"
            for kw in node.keywords:
                bad = kw.arg == "allow_pickle" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
                assert not bad, f"{path}:{node.lineno} passes allow_pickle other than False"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not any(n.split(".")[0] in ("pickle", "cPickle", "dill") for n in names), path


def test_framework_imports_no_ui():
    for path in (ROOT / "scratchnet").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] in ("streamlit", "plotly") for m in mods), path


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from ((a.name, []) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", [a.name for a in node.names]


def test_only_ui_and_pages_import_streamlit_or_plotly():
    """The folder tree is the architecture: core, figures and logic are plain Python that tests drive directly."""
    allowed = [ROOT / "playground" / "ui", ROOT / "pages"]
    offenders = []
    for path in SOURCES:
        if path.is_relative_to(ROOT / "bench") or any(path.is_relative_to(d) for d in allowed) or path.name == "app.py":
            continue
        for module, _ in imported_modules(path):
            if module.split(".")[0] in ("streamlit", "plotly"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_no_private_name_is_imported_across_modules():
    offenders = []
    for path in SOURCES:
        for module, names in imported_modules(path):
            if module.startswith(("playground", "scratchnet", ".")):
                offenders += [f"{path.relative_to(ROOT)} imports {n} from {module}" for n in names if n.startswith("_")]
    assert offenders == []


def test_pages_are_thin():
    """A page reads widgets, calls the package and draws: no page grows a logic of its own."""
    for path in (ROOT / "pages").glob("*.py"):
        assert len(path.read_text().splitlines()) <= 150, f"{path.name} has grown past 150 lines"
