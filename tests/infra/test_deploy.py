"""`make deploy`'s steps against an in-memory stand-in for the AWS APIs it calls.

AWS cannot be reached from here, so these tests check the deploy's own decisions: what it
uploads and in which order, which stacks it creates or updates with which parameters, that a
second deploy of the same build changes nothing, and when it stops before touching anything.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import boto3
import pytest
from botocore.exceptions import ClientError, WaiterError

from infra import deploy, ssm

ACCOUNT = "123456789012"
CLOUDFRONT_URL = "https://d111111abcdef8.cloudfront.net"


def _client_error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeWaiter:
    def __init__(self, check):
        self.check = check

    def wait(self, **kwargs):
        self.check(**kwargs)


@dataclass
class FakeCloudFormation:
    stacks: dict = field(default_factory=dict)
    change_sets: dict = field(default_factory=dict)
    executed: list = field(default_factory=list)
    protected: list = field(default_factory=list)

    def describe_stacks(self, StackName):
        if StackName not in self.stacks:
            raise _client_error("ValidationError", f"Stack with id {StackName} does not exist",
                                "DescribeStacks")
        stack = self.stacks[StackName]
        return {"Stacks": [{
            "StackStatus": stack["status"],
            "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in stack["parameters"].items()],
            "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in self._outputs(StackName).items()]}]}

    def _outputs(self, name):
        if name.endswith("-artifacts"):
            return {"BucketName": f"{name}-artifactsbucket-abc"}
        parameters = self.stacks[name]["parameters"]
        url = f"https://{parameters['PwaDomain']}" if parameters.get("PwaDomain") else CLOUDFRONT_URL
        return {"PwaUrl": url, "PwaBucketName": f"{name}-pwabucket-abc", "DistributionId": "E2EXAMPLE",
                "DistributionDomain": CLOUDFRONT_URL[8:], "AlarmTopicArn": f"arn:aws:sns:::{name}-alarms",
                "EndpointURL": "https://abc123.execute-api.ap-northeast-1.amazonaws.com/api/"}

    def create_change_set(self, StackName, ChangeSetName, ChangeSetType, Parameters, Capabilities,
                          Tags, TemplateURL=None, TemplateBody=None):
        assert "CAPABILITY_IAM" in Capabilities
        current = self.stacks.get(StackName)
        assert (ChangeSetType == "UPDATE") == (current is not None)
        parameters = {p["ParameterKey"]: current["parameters"][p["ParameterKey"]]
                      if p.get("UsePreviousValue") else p["ParameterValue"] for p in Parameters}
        template = TemplateURL or TemplateBody
        unchanged = current is not None and (current["template"], current["parameters"]) == (template, parameters)
        self.change_sets[StackName, ChangeSetName] = {
            "type": ChangeSetType, "template": template, "parameters": parameters,
            "status": "FAILED" if unchanged else "CREATE_COMPLETE",
            "reason": "The submitted information didn't contain changes." if unchanged else ""}

    def describe_change_set(self, StackName, ChangeSetName):
        change_set = self.change_sets[StackName, ChangeSetName]
        return {"Status": change_set["status"], "StatusReason": change_set["reason"]}

    def delete_change_set(self, StackName, ChangeSetName):
        del self.change_sets[StackName, ChangeSetName]

    def execute_change_set(self, StackName, ChangeSetName):
        change_set = self.change_sets.pop((StackName, ChangeSetName))
        self.stacks[StackName] = {"status": f"{change_set['type']}_COMPLETE",
                                  "template": change_set["template"],
                                  "parameters": change_set["parameters"]}
        self.executed.append((StackName, change_set["type"], change_set["parameters"]))

    def get_waiter(self, name):
        def check(StackName, ChangeSetName=None, WaiterConfig=None):
            if name == "change_set_create_complete":
                if self.change_sets[StackName, ChangeSetName]["status"] == "FAILED":
                    raise WaiterError(name, "Waiter encountered a terminal failure state", {})
        return FakeWaiter(check)

    def update_termination_protection(self, StackName, EnableTerminationProtection):
        self.protected.append(StackName)


@dataclass
class FakeS3:
    objects: dict = field(default_factory=dict)
    puts: list = field(default_factory=list)
    uploads: list = field(default_factory=list)

    def head_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise _client_error("404", "Not Found", "HeadObject")
        return {}

    def put_object(self, Bucket, Key, Body):
        self.objects[Bucket, Key] = Body
        self.puts.append(Key)

    def upload_file(self, Filename, Bucket, Key, ExtraArgs):
        self.uploads.append((Bucket, Key, ExtraArgs["ContentType"]))


@dataclass
class FakeSSM:
    parameters: dict = field(default_factory=dict)

    def get_parameters(self, Names, WithDecryption):
        assert len(Names) <= 10 and WithDecryption is False
        return {"Parameters": [{"Name": n} for n in Names if n in self.parameters],
                "InvalidParameters": [n for n in Names if n not in self.parameters]}

    def put_parameter(self, Name, Description, Value, Type, Overwrite):
        assert Type == "SecureString"
        if Name in self.parameters and not Overwrite:
            raise _client_error("ParameterAlreadyExists", Name, "PutParameter")
        self.parameters[Name] = Value


@dataclass
class FakeCloudFront:
    invalidations: list = field(default_factory=list)

    def create_invalidation(self, DistributionId, InvalidationBatch):
        self.invalidations.append((DistributionId, InvalidationBatch["Paths"]["Items"]))
        return {"Invalidation": {"Id": "I1"}}

    def get_waiter(self, name):
        return FakeWaiter(lambda **kwargs: None)


class FakeSTS:
    def get_caller_identity(self):
        return {"Account": ACCOUNT}


@pytest.fixture
def aws():
    return deploy.Clients(sts=FakeSTS(), ssm=FakeSSM(), cloudformation=FakeCloudFormation(),
                          s3=FakeS3(), cloudfront=FakeCloudFront(), region="ap-northeast-1")


@pytest.fixture
def pwa_dist(tmp_path):
    dist = tmp_path / "dist"
    for name, body in {"index.html": "<!doctype html>", "sw.js": "//", "manifest.webmanifest": "{}",
                       "assets/index-1a2b.js": "//", "assets/index-3c4d.css": "",
                       "icons/icon-192.png": ""}.items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_text(body)
    return dist


@pytest.fixture
def options(package_dir, pwa_dist):
    said = []
    opts = deploy.Options(stage="dev", build_dir=package_dir, pwa_dist=pwa_dist, say=said.append)
    opts.said = said
    return opts


def test_a_first_deploy_makes_everything_and_lets_the_cloudfront_origin_upload(aws, options):
    outputs = deploy.deploy(aws, options)

    assert aws.ssm.parameters.keys() == {"/servicelane/dev/jwt-signing-key",
                                         "/servicelane/dev/link-signing-key",
                                         "/servicelane/dev/document-seal-key"}
    assert len(aws.ssm.parameters["/servicelane/dev/jwt-signing-key"]) >= 43  # 256 bits, base64url
    assert len(aws.ssm.parameters["/servicelane/dev/link-signing-key"]) >= 43
    assert len(aws.ssm.parameters["/servicelane/dev/document-seal-key"]) >= 43
    (code,) = [key for key in aws.s3.puts if key.startswith("dev/code/")]
    template_key = next(key for key in aws.s3.puts if key.startswith("dev/templates/"))
    uploaded = json.loads(aws.s3.objects["servicelane-dev-artifacts-artifactsbucket-abc", template_key])
    assert uploaded["Resources"]["OnChange"]["Properties"]["CodeUri"] == \
        f"s3://servicelane-dev-artifacts-artifactsbucket-abc/{code}"
    assert [(name, kind) for name, kind, _ in aws.cloudformation.executed] == [
        ("servicelane-dev-artifacts", "CREATE"), ("servicelane-dev", "CREATE"),
        ("servicelane-dev", "UPDATE")]
    first, second = (p for name, _, p in aws.cloudformation.executed if name == "servicelane-dev")
    assert first["PwaOrigin"] == deploy.PENDING_ORIGIN and first["Stage"] == "dev"
    assert second["PwaOrigin"] == CLOUDFRONT_URL
    assert aws.cloudformation.protected == []  # only prod is protected from deletion

    keys = [key for _, key, _ in aws.s3.uploads]
    assert keys[-1] == "index.html" and keys.index("assets/index-1a2b.js") < keys.index("sw.js")
    assert ("servicelane-dev-pwabucket-abc", "manifest.webmanifest",
            "application/manifest+json; charset=utf-8") in aws.s3.uploads
    assert aws.cloudfront.invalidations == [("E2EXAMPLE", ["/*"])]
    assert outputs["PwaUrl"] == CLOUDFRONT_URL
    assert f"  health   {CLOUDFRONT_URL}/api/health" in "\n".join(options.said)


def test_deploying_the_same_build_again_uploads_no_code_and_changes_no_stack(aws, options):
    deploy.deploy(aws, options)
    puts, executed = len(aws.s3.puts), len(aws.cloudformation.executed)
    deploy.deploy(aws, options)
    assert len(aws.s3.puts) == puts
    assert len(aws.cloudformation.executed) == executed
    assert "  servicelane-dev: no changes" in options.said


def test_a_custom_domain_is_the_upload_origin_from_the_first_deploy(aws, options):
    options.domain, options.certificate_arn = "app.example.tw", "arn:aws:acm:us-east-1:1:certificate/x"
    deploy.deploy(aws, options)
    (main,) = [p for name, _, p in aws.cloudformation.executed if name == "servicelane-dev"]
    assert main["PwaOrigin"] == "https://app.example.tw" and main["PwaDomain"] == "app.example.tw"
    assert f"  DNS      app.example.tw CNAME {CLOUDFRONT_URL[8:]}" in options.said


def test_a_later_deploy_keeps_the_domain_and_alarm_address_it_was_given(aws, options):
    options.alarm_email = "ops@example.tw"
    deploy.deploy(aws, options)
    options.alarm_email = None
    deploy.deploy(aws, options)
    assert aws.cloudformation.stacks["servicelane-dev"]["parameters"]["AlarmEmail"] == "ops@example.tw"


def test_a_required_secret_nobody_set_stops_the_deploy_before_any_stack(aws, options, monkeypatch):
    listed = ssm.listed() + [ssm.Secret("line/channel-secret-2", "a secret", required=True,
                                        how="the LINE console")]
    monkeypatch.setattr(ssm, "listed", lambda: listed)
    with pytest.raises(deploy.DeployError, match="Set the required secrets"):
        deploy.deploy(aws, options)
    assert aws.cloudformation.executed == []
    assert "python -m infra.ssm --stage dev set line/channel-secret-2" in "\n".join(options.said)


def test_a_deploy_neither_makes_nor_asks_for_any_shop_s_own_parameters(aws, options):
    """A shop's ECPay account (einvoice/<shop_id>/…) comes when the shop takes up 電子發票."""
    deploy.deploy(aws, options)
    assert not any("/einvoice/" in name for name in aws.ssm.parameters)
    assert "einvoice" not in "\n".join(options.said)


def test_a_shop_s_own_parameter_is_set_under_the_shop_s_path_and_shown_per_shop(monkeypatch, capsys):
    fake = FakeSSM()

    class Session:
        def __init__(self, region_name):
            assert region_name == ssm.REGION

        def client(self, name):
            assert name == "ssm"
            return fake

    monkeypatch.setattr(boto3.session, "Session", Session)
    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-real-hash-key\n"))
    assert ssm.main(["--stage", "dev", "set", "einvoice/shop-1/hash-key"]) == 0
    assert fake.parameters == {"/servicelane/dev/einvoice/shop-1/hash-key": "not-a-real-hash-key"}
    for name in ("einvoice/../hash-key", "einvoice/shop-1/other-key", "einvoice/a/b/hash-key"):
        with pytest.raises(SystemExit):
            ssm.main(["--stage", "dev", "set", name])
    capsys.readouterr()
    # The shop's status: what it has, what it lacks and how to set it; a deploy is not blocked
    # (the exit status is the stage's own secrets', all made here).
    for secret in ssm.listed():
        fake.parameters[secret.path("dev")] = "set"
    assert ssm.main(["--stage", "dev", "--shop", "shop-1"]) == 0
    said = capsys.readouterr().out
    assert "set      /servicelane/dev/einvoice/shop-1/hash-key" in said
    assert "Missing for shop shop-1" in said
    assert "python -m infra.ssm --stage dev set einvoice/shop-1/merchant-id" in said
    assert "廠商管理 → 介接資訊" in said


def test_a_package_built_for_another_stage_is_refused(aws, options):
    options.stage = "prod"
    with pytest.raises(deploy.DeployError, match="packaged for dev, not prod"):
        deploy.deploy(aws, options)


def test_a_custom_domain_without_its_certificate_is_refused(aws, options):
    options.domain = "app.example.tw"
    with pytest.raises(deploy.DeployError, match="needs its ACM certificate"):
        deploy.deploy(aws, options)


def test_a_stack_whose_creation_failed_is_explained_not_retried(aws, options):
    aws.cloudformation.stacks["servicelane-dev-artifacts"] = {
        "status": "ROLLBACK_COMPLETE", "template": "", "parameters": {}}
    with pytest.raises(deploy.DeployError, match="failed to create and was rolled back"):
        deploy.deploy(aws, options)
