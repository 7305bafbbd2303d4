"""The packaged template passes cfn-lint, transforms as CloudFormation would, and checkov finds
nothing that is not suppressed with a written reason next to the resource."""
import json
from pathlib import Path


from infra import checks

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _not_informational(findings):
    return [f for f in findings if not f.check.startswith("I")]


def test_cfn_lint_finds_nothing_in_the_packaged_template(package_dir):
    assert _not_informational(checks.cfn_lint(package_dir / "sam.json")) == []


def test_cfn_lint_finds_nothing_in_what_the_sam_transform_makes(transformed):
    assert _not_informational(checks.cfn_lint(json.dumps(transformed))) == []


def test_the_sam_transform_makes_the_functions_and_their_stream_mapping(transformed):
    types = {resource["Type"] for resource in transformed["Resources"].values()}
    assert {"AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::ApiGateway::RestApi",
            "AWS::ApiGateway::Stage", "AWS::DynamoDB::Table", "AWS::CloudFront::Distribution"} <= types
    assert not any(kind.startswith("AWS::Serverless::") for kind in types)


def test_checkov_finds_no_failed_check(checkov_run):
    report = checkov_run
    assert report.passed, "checkov ran no check at all"
    assert [(f.check, f.resource, f.message) for f in report.failed] == []


def test_every_suppression_gives_its_reason_and_is_still_needed(template, checkov_run):
    report = checkov_run
    applied = {(f.resource.split(".")[-1], f.check) for f in report.skipped}
    for name, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "")) >= 40, f"{name} {skip['id']}: say why"
            assert (name, skip["id"]) in applied, f"{name} {skip['id']}: checkov no longer runs it"


def test_checkov_needs_no_network(checkov_run):
    assert checkov_run.passed  # the run above had no network device but the loopback


def test_the_artifacts_bucket_stack_passes_the_same_checks():
    path = INFRA / "artifacts.json"
    assert _not_informational(checks.cfn_lint(path)) == []
    report = checks.checkov(path)
    assert report.passed and report.failed == []
