"""`make package`: the deployable template and code for one stage, in build/<stage>/.

1. Stage a clean copy of what the Lambdas run (app.py, chalicelib/, the run-time lock, the
   Chalice config and its per-function policies) in build/src/, so nothing else in the tree
   (tests, .local data, node_modules) can reach the package.
2. Run the build-time asset steps (BUILD_ASSETS) into its vendor/ folder: Chalice puts vendor/'s
   contents at the root of the Lambda code, /var/task/ in the cloud.
3. Join the infra/ templates into one merge template (a resource may be declared in one of
   them only) and run `chalice package --merge-template` with it.
4. Check the result: every merged resource has a type (so Chalice still names its resources
   as infra/functions.json expects) and no local placeholder stream ARN is left.
5. Drop from the code the files a wheel strays into top-level docs/ or tests/ (as its RECORD
   names them: drop_stray_wheel_folders), then add the bytecode (precompile).

Writes build/<stage>/sam.json (SAM/CloudFormation), build/<stage>/deployment.zip (the code of
every function, with its bytecode: see precompile()) and build/<stage>/infra.json (the merge template, for reading). AWS is never
called; Chalice fetches the Lambda wheels (manylinux, Python 3.11) from PyPI once and keeps them
in build/cache/.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
BUILD = ROOT / "build"
STAGES = ("dev", "prod")

# The templates merged over Chalice's output, in this order. resources.json comes first: its
# Parameters and the table and bucket it declares are the ones the local stack reads too.
FRAGMENTS = ("resources.json", "functions.json", "web.json", "alarms.json")
# Sections whose entries are named: a name may appear in one fragment only.
NAMED_SECTIONS = ("Parameters", "Conditions", "Resources", "Outputs")

# What the Lambdas need at run time, copied into the staged project.
SOURCES = ("app.py", "chalicelib", "requirements.txt")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")

# Build-time assets: each step gets the staged vendor/ folder and writes files into it; they
# reach the Lambda as /var/task/<path>.
BuildStep = Callable[[Path], None]


def cjk_fonts(vendor: Path) -> None:
    """Noto Sans CJK TC for the signed documents' PDFs and the part labels, made from Debian's
    fonts-noto-cjk (chalicelib/work/fonts.py; never committed), into vendor/fonts/."""
    from chalicelib.work import fonts

    target = vendor / fonts.BUNDLED_DIR.name
    target.mkdir(exist_ok=True)
    for weight in fonts.FACES:
        shutil.copy2(fonts.font_path(weight), target)


BUILD_ASSETS: tuple[BuildStep, ...] = (cjk_fonts,)

PLACEHOLDER_STREAM = "/stream/local"
# Chalice names its cached package by a hash of the code and the lock: keep the latest few.
CACHE_KEEP = 3


class PackageError(Exception):
    """The package could not be built; the message says why."""


def compose(stage: str) -> dict:
    """The infra/ fragments as one merge template for `stage`."""
    if stage not in STAGES:
        raise PackageError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    merged: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    owner: dict[tuple[str, str], str] = {}
    for name in FRAGMENTS:
        fragment = json.loads((INFRA / name).read_text())
        for section in NAMED_SECTIONS:
            for key, value in fragment.get(section, {}).items():
                if (section, key) in owner:
                    raise PackageError(f"{section}.{key} is declared in both "
                                       f"infra/{owner[section, key]} and infra/{name}")
                owner[section, key] = name
                merged.setdefault(section, {})[key] = value
    merged["Description"] = (f"ServiceLane {stage}: the Chalice app (API and stream handler) and "
                             "its resources, built by `make package` from infra/")
    # The package is built for one stage: its template deploys that stage unless told otherwise.
    merged["Parameters"]["Stage"] = {**merged["Parameters"]["Stage"], "Default": stage}
    return merged


def stage_sources(work: Path, cache: Path) -> None:
    """A fresh copy of the Lambda sources in `work`, keeping Chalice's wheel cache in `cache`."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=IGNORED)
        else:
            shutil.copy2(source, work / name)
    chalice_dir = work / ".chalice"
    chalice_dir.mkdir()
    for config in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(config, chalice_dir / config.name)
    cache.mkdir(parents=True, exist_ok=True)
    (chalice_dir / "deployments").symlink_to(cache.resolve(), target_is_directory=True)
    vendor = work / "vendor"
    if (ROOT / "vendor").is_dir():
        shutil.copytree(ROOT / "vendor", vendor, ignore=IGNORED)
    vendor.mkdir(exist_ok=True)
    for step in BUILD_ASSETS:
        step(vendor)


def _chalice_environment(region: str) -> dict[str, str]:
    """The environment for `chalice package`: none of the local stack's settings leak in."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SL_", "AWS_"))}
    env["AWS_DEFAULT_REGION"] = region
    return env


def run_chalice(work: Path, stage: str, merge_template: Path, out: Path, region: str) -> None:
    command = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())",
               "--project-dir", str(work), "package", "--stage", stage,
               "--merge-template", str(merge_template), str(out)]
    result = subprocess.run(command, cwd=work, env=_chalice_environment(region),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"chalice package failed:\n{result.stdout}{result.stderr}")


def verify(template: dict, merge_template: dict) -> None:
    """Fail when the merge did not land on what Chalice made."""
    resources = template["Resources"]
    for name in merge_template["Resources"]:
        if "Type" not in resources.get(name, {}):
            raise PackageError(
                f"infra/ refines a resource {name!r} that `chalice package` no longer makes; "
                "update infra/functions.json to Chalice's resource names")
    if PLACEHOLDER_STREAM in json.dumps(template):
        raise PackageError("the packaged template still reads the local placeholder stream")


def build(stage: str, out: Path | None = None, *, work: Path | None = None,
          cache: Path | None = None, region: str = "ap-northeast-1") -> Path:
    """Build the package for `stage` into `out` (default build/<stage>) and return `out`."""
    out = out or BUILD / stage
    work = work or BUILD / "src"
    cache = cache or BUILD / "cache"
    merge_template = compose(stage)
    stage_sources(work, cache)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    merge_path = out / "infra.json"
    merge_path.write_text(json.dumps(merge_template, indent=2, ensure_ascii=False) + "\n")
    run_chalice(work, stage, merge_path, out, region)
    verify(json.loads((out / "sam.json").read_text()), merge_template)
    drop_stray_wheel_folders(out / "deployment.zip")
    precompile(out / "deployment.zip")
    _prune(cache)
    return out


# Top-level folders some wheels install by mistake beside their package (python-barcode 0.16.1
# ships its docs/ and tests/): at /var/task they are nothing the code imports.
STRAY_TOPS = ("docs", "tests")


def drop_stray_wheel_folders(zip_path: Path) -> list[str]:
    """Remove from the Lambda code the files a wheel's RECORD puts in a top-level docs/ or
    tests/ folder, and return them. Only files a RECORD names go: anything else there (our own
    tree, by mistake) stays for test_package to catch."""
    import zipfile

    with zipfile.ZipFile(zip_path) as source:
        stray = {line.split(",", 1)[0]
                 for name in source.namelist() if name.endswith(".dist-info/RECORD")
                 for line in source.read(name).decode().splitlines()
                 if line.split("/", 1)[0] in STRAY_TOPS}
        dropped = sorted(name for name in source.namelist() if name in stray)
        if not dropped:
            return []
        temporary = zip_path.with_suffix(".tmp")
        with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename not in stray:
                    target.writestr(info, source.read(info))
    temporary.replace(zip_path)
    return dropped


def precompile(zip_path: Path) -> int:
    """Add bytecode for every module of the Lambda code, and return how many.

    /var/task is read-only, so Python compiles every module it imports on each cold start (the
    app's own modules alone cost ~35 ms). The bytecode is "unchecked hash" based (PEP 552): the
    code never changes under it, so Python loads it without looking at the source. It is made by
    this interpreter, which the Makefile holds to the Lambda's Python 3.11.
    """
    import importlib.util
    import marshal
    import zipfile

    if sys.version_info[:2] != (3, 11):
        raise PackageError("bytecode for the Lambda (Python 3.11) needs Python 3.11 to make it")
    temporary = zip_path.with_suffix(".tmp")
    added = 0
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(
            temporary, "w", zipfile.ZIP_DEFLATED) as target:
        names = set(source.namelist())
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data)
            if not info.filename.endswith(".py"):
                continue
            cached = importlib.util.cache_from_source(info.filename)
            if cached in names:
                continue
            try:
                code = compile(data, info.filename, "exec", dont_inherit=True)
            except SyntaxError:  # e.g. a vendored file for another Python: left as source
                continue
            header = importlib.util.MAGIC_NUMBER + (1).to_bytes(4, "little")
            pyc = header + importlib.util.source_hash(data) + marshal.dumps(code)
            entry = zipfile.ZipInfo(cached, date_time=info.date_time)
            entry.external_attr = info.external_attr
            target.writestr(entry, pyc, zipfile.ZIP_DEFLATED)
            added += 1
    temporary.replace(zip_path)
    return added


def _prune(cache: Path) -> None:
    packages = sorted(cache.glob("*.zip"), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in packages[CACHE_KEEP:]:
        stale.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=STAGES, default="dev")
    parser.add_argument("--out", type=Path, help="output folder (default build/<stage>)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        out = build(args.stage, args.out)
    except PackageError as err:
        print(f"make package: {err}", file=sys.stderr)
        return 1
    size = (out / "deployment.zip").stat().st_size / 1e6
    print(f"Packaged {args.stage} in {time.monotonic() - started:.0f} s: "
          f"{_shown(out / 'sam.json')}, {_shown(out / 'deployment.zip')} ({size:.1f} MB)")
    return 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
