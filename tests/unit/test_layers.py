"""chalicelib's imports only go down (docs/design.md, "Layers"): a module imports from lower
layers and from modules listed before it in its own layer, at the top of the module, never up
and never in a circle. The order below is the design's table; a new module goes into it."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

# Each layer's modules, lowest first (core, models and api are one layer: each may use core).
LAYERS = [
    ["core.config", "core.clock", "core.errors", "core.secrets", "core.aws", "core.objects",
     "core.money", "core.tax_ids", "core.einvoice_rules", "core.phones", "core.images",
     "core.observability", "core.pieces", "core.health", "core.dates", "core.qr",
     "core.einvoice_codes",
     "models.base", "models.writes", "models.shops", "models.customers", "models.orders",
     "models.appointments", "models.bookings", "models.booking_page", "models.messages",
     "models.conversations", "models.aftercare", "models.jobs", "models.catalogue", "models.payments", "models",
     "api", "api.roles", "api.tokens", "api.openapi", "api.lazy"],
    ["records.auth", "records.shop_settings", "records.booking_setup", "records.shops", "records.vehicles",
     "records.customers", "records.onboarding", "records.catalogue"],
    ["work.fonts", "work.labels", "work.order_store", "work.board", "work.photos",
     "work.inspections",
     "work.parts", "work.pdf", "work.paper", "work.signatures", "work.line_options", "work.orders", "work.jobs", "work.quality", "work.handover", "work.dispatch_sheet", "work.history",
     "work.slots", "work.appointments", "work.appointment_sheet", "work.inspection_sheet",
     "work.stock", "work.payments", "work.invoice_print"],
    ["outward.links", "outward.opt_out", "outward.notify", "outward.texted_codes",
     "outward.approval_codes",
     "outward.customer_page", "outward.booking_codes", "outward.booking_links",
     "outward.booking_messages", "outward.booking_page",
     "outward.einvoice.sale", "outward.einvoice.errors", "outward.einvoice.centre",
     "outward.einvoice.ecpay", "outward.einvoice", "outward.invoicing"],
    ["after.dashboard", "after.cases", "after.followups", "after.followup_sheet", "after.reminders",
     "after.invitations", "after.jobs", "after.portability", "after.merge", "after.exports", "after.imports", "after.catalogue_import",
     "after.daily", "after.cashup"],
    ["changes", "customer_routes", "booking_routes"],
]


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _unit(name: str) -> str:
    """The row of the table a module belongs to: notify's parts are the notify package."""
    return "outward.notify" if name.startswith("outward.notify") else name


def _rank() -> dict[str, tuple[int, int]]:
    return {name: (layer, place) for layer, names in enumerate(LAYERS)
            for place, name in enumerate(names)}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(chalicelib module imported, whether at the top of the module)."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    top |= {id(inner) for node in tree.body if isinstance(node, ast.If)  # TYPE_CHECKING: types
            and getattr(node.test, "id", "") == "TYPE_CHECKING" for inner in node.body}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "chalicelib"):
            base = node.module.removeprefix("chalicelib").lstrip(".")
            names = [f"{base}.{alias.name}".lstrip(".") if (PACKAGE / base.replace(".", "/") /
                     f"{alias.name}.py").exists() or (PACKAGE / base.replace(".", "/") /
                     alias.name).is_dir() else base for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name.removeprefix("chalicelib.") for alias in node.names
                     if alias.name.startswith("chalicelib.")]
        found += [(name, id(node) in top) for name in names if name]
    return found


PACKAGES = {"", "core", "records", "work", "outward", "after"}  # empty __init__ files


def test_every_module_is_in_the_table():
    modules = {_unit(_name(path)) for path in PACKAGE.rglob("*.py")} - PACKAGES
    listed = {name for names in LAYERS for name in names}
    assert modules - listed == set(), sorted(modules - listed)


def test_imports_go_down_and_sit_at_the_top():
    rank = _rank()
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _unit(_name(path))
        if me in PACKAGES:
            assert not _imports(path), path
            continue
        for imported, at_top in _imports(path):
            other = _unit(imported)
            if other == me or other.startswith(me + ".") or me == "models" and \
                    other.startswith("models."):
                continue  # a package's own parts
            if not at_top:
                wrong.append(f"{me} imports {other} inside a function")
            elif rank[other] >= rank[me]:
                wrong.append(f"{me} imports {other}, not below it")
    assert wrong == [], wrong


def _written_imports(path: Path) -> set[str]:
    """The chalicelib modules a file names at its top as written: `from a.b import c` names the
    module `a.b` (for a package, its face, `__init__`) and `a.b.c` when c is a module."""
    named = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chalicelib."):
            base = node.module.removeprefix("chalicelib.")
            named.add(base)
            named |= {f"{base}.{alias.name}" for alias in node.names
                      if (PACKAGE / base.replace(".", "/") / f"{alias.name}.py").exists()}
        elif isinstance(node, ast.Import):
            named |= {alias.name.removeprefix("chalicelib.") for alias in node.names
                      if alias.name.startswith("chalicelib.")}
    return named


def test_no_module_imports_itself_back_through_others():
    """Within a package too (notify's parts sit in one row of the table): a part that imports
    its package's face, which imports that part, is a circle."""
    graph = {_name(path): _written_imports(path) for path in PACKAGE.rglob("*.py")}
    circles, done = [], set()

    def walk(module: str, trail: list[str]) -> None:
        if module in trail:
            circles.append(trail[trail.index(module):] + [module])
            return
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            walk(imported, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        walk(module, [])
    assert circles == [], circles
