"""Every piece of work the code hands to core/pieces.py is one the pieces Lambda will run: the
Lambda runs only what app.py lists (PIECES), so a piece missing there fails in the cloud while
it runs fine locally on a thread."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _listed() -> set[str]:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "PIECES"
                                                 for t in node.targets):
            return {item.value for item in node.value.args[0].elts}
    raise AssertionError("app.py lists no PIECES")


def _handed() -> set[str]:
    """`module:function` of each function named where a piece is asked for: pieces.later(f,
    …), jobs.start(caller, id, kind, f, …), jobs.run(payload, step, f)."""
    where = {("pieces", "later"): 0, ("jobs", "start"): 3, ("jobs", "run"): 2}
    found = set()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT / "chalicelib").with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)):
                continue
            position = where.get((node.func.value.id, node.func.attr))
            if position is None or len(node.args) <= position:
                continue
            named = node.args[position]
            if isinstance(named, ast.Name) and named.id in defined:
                found.add(f"{module}:{named.id}")
    return found


def test_every_piece_asked_for_is_one_the_pieces_lambda_runs():
    handed = _handed()
    assert {"after.exports:run_piece", "after.portability:run_erasure"} <= handed, handed
    assert handed <= _listed(), handed - _listed()
