"""The offline checks of a packaged template: cfn-lint, the SAM transform, checkov.

None of them calls AWS. cfn-lint ships its resource schemas; the SAM translator (the code
CloudFormation runs for `Transform: AWS::Serverless-2016-10-31`) runs here with the account's
pseudo-parameters filled in; checkov runs from a venv of its own (its pins clash with the
Lambdas' lock) with every download switched off.

    .venv/bin/python -m infra.checks build/dev/sam.json
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOV_LOCK = ROOT / "infra" / "requirements-checkov.txt"
CHECKOV_VENV = ROOT / ".venv" / "checkov"
REGION = "ap-northeast-1"
# Stand-ins for what only a real account knows; enough for the transform and the linters.
EXAMPLE_ACCOUNT = "123456789012"
EXAMPLE_CODE_URI = "s3://servicelane-artifacts-example/dev/deployment.zip"
EXAMPLE_PARAMETERS = {"Stage": "dev", "PwaOrigin": "https://app.example.tw", "PwaDomain": "",
                      "PwaCertificateArn": "", "AlarmEmail": ""}

# checkov talks to Prisma Cloud and PyPI unless told not to: no guidelines, severities or
# custom policies download (--skip-download, BC_SKIP_MAPPING), no "newer version" check.
CHECKOV_OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
                       "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "FALSE", "CKV_VALIDATE_SECRETS": "FALSE"}


@dataclass(frozen=True)
class Finding:
    check: str
    resource: str
    message: str


def cfn_lint(template: Path | str, region: str = REGION) -> list[Finding]:
    """cfn-lint's matches for a template (file or JSON text), errors and warnings alike."""
    from cfnlint.api import lint

    text = template.read_text() if isinstance(template, Path) else template
    return [Finding(match.rule.id, "/".join(str(part) for part in getattr(match, "path", None) or []),
                    f"{match.message} (line {match.linenumber})")
            for match in lint(text, regions=[region])]


def with_code_uri(template: dict, code_uri: str) -> dict:
    """The template with every function's code at `code_uri`, as `make deploy` uploads it."""
    placed = copy.deepcopy(template)
    for resource in placed["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri
    return placed


def sam_transform(template: dict, parameters: dict[str, str] | None = None,
                  region: str = REGION, account: str = EXAMPLE_ACCOUNT) -> dict:
    """What CloudFormation makes of the SAM template: plain AWS:: resources."""
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:  # the template names no managed policy: nothing to look up in IAM
        def load(self) -> dict:
            return {}

    values = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws",
              **(parameters or {})}
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region  # the translator asks boto for a region
    try:
        return transform(copy.deepcopy(template), values, NoManagedPolicies())
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous


def ensure_checkov() -> Path:
    """The checkov command from its own venv, made (or remade) from its lock when needed."""
    lock_hash = hashlib.sha256(CHECKOV_LOCK.read_bytes()).hexdigest()
    stamp = CHECKOV_VENV / ".installed"
    command = CHECKOV_VENV / "bin" / "checkov"
    if stamp.is_file() and stamp.read_text() == lock_hash and command.exists():
        return command
    print(f"Installing checkov into {CHECKOV_VENV.relative_to(ROOT)} (once)...", file=sys.stderr)
    for step in ([sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)],
                 [str(CHECKOV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                  "--disable-pip-version-check", "-r", str(CHECKOV_LOCK)]):
        result = subprocess.run(step, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"installing checkov failed:\n{result.stdout}{result.stderr}")
    stamp.write_text(lock_hash)
    return command


@dataclass(frozen=True)
class CheckovReport:
    passed: list[Finding]
    failed: list[Finding]
    skipped: list[Finding]  # message: the written reason next to the resource


def checkov(template: Path, prefix: tuple[str, ...] = ()) -> CheckovReport:
    """checkov's CloudFormation checks on one template, offline. `prefix` wraps the command
    (tests run it inside a namespace without a network to prove it needs none)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BC_", "PRISMA_", "CKV_", "CHECKOV_"))}
    env.update(CHECKOV_OFFLINE_ENV)
    command = [*prefix, str(ensure_checkov()), "--file", str(template),
               "--framework", "cloudformation", "--skip-download", "--output", "json"]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # 1: some check failed, reported in the JSON
        raise RuntimeError(f"checkov did not run:\n{result.stdout}{result.stderr}")
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    if isinstance(report, list):  # one entry per framework; we ask for one
        report = report[0]
    results = report.get("results", {})

    def findings(kind: str) -> list[Finding]:
        return [Finding(item["check_id"], item["resource"],
                        (item.get("check_result") or {}).get("suppress_comment")
                        or item.get("check_name", ""))
                for item in results.get(kind, [])]

    return CheckovReport(findings("passed_checks"), findings("failed_checks"),
                         findings("skipped_checks"))


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    path = Path(args[0] if args else ROOT / "build" / "dev" / "sam.json")
    template = json.loads(path.read_text())
    problems = 0
    lint = cfn_lint(path)
    print(f"cfn-lint (SAM template): {len(lint)} findings")
    stage = template["Parameters"]["Stage"].get("Default", "dev")
    transformed = sam_transform(with_code_uri(template, EXAMPLE_CODE_URI),
                                {**EXAMPLE_PARAMETERS, "Stage": stage})
    lint_transformed = cfn_lint(json.dumps(transformed))
    print(f"SAM transform: {len(transformed['Resources'])} resources; "
          f"cfn-lint on them: {len(lint_transformed)} findings")
    for finding in lint + lint_transformed:
        print(f"  {finding.check} {finding.message}")
        problems += finding.check.startswith("E")
    report = checkov(path)
    print(f"checkov: {len(report.passed)} passed, {len(report.failed)} failed, "
          f"{len(report.skipped)} suppressed with a reason")
    for finding in report.failed:
        print(f"  FAILED {finding.check} {finding.resource}: {finding.message}")
    problems += len(report.failed)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
