"""`make deploy STAGE=dev`: the packaged stage on AWS, the PWA on its bucket, the URLs printed.

The Makefile runs `make package` and builds the PWA first; this script then, with the
credentials boto3 finds (AWS_PROFILE, SSO, environment variables):

1. says which account and region it deploys to (ap-northeast-1 unless told otherwise);
2. prepares the secrets infra/secrets.json lists (infra/ssm.py): makes the generated ones,
   stops while a required one a person must set is missing;
3. creates or updates the artifacts bucket's stack (infra/artifacts.json);
4. uploads the Lambda code and the template there, each named by its SHA-256, so deploying the
   same build twice uploads nothing and changes nothing;
5. creates or updates the stack servicelane-<stage> through a change set. The files bucket lets
   only the PWA's origin upload, and without a custom domain that origin is CloudFront's own
   address, known once the distribution exists: the first deploy therefore runs a second,
   small update that sets it;
6. uploads pwa/dist to the PWA bucket (hashed assets first, the shell files last, so a device
   never loads an index.html whose assets are not there yet), then invalidates CloudFront;
7. prints the URLs.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import mimetypes
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from infra import ssm

ROOT = Path(__file__).resolve().parent.parent
REGION = "ap-northeast-1"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
# The files bucket's CORS origin before CloudFront has an address (first deploy only).
PENDING_ORIGIN = "https://pending.invalid"
# Uploaded last: the files that name the others (see the module docstring, step 6).
SHELL_LAST = ("manifest.webmanifest", "sw.js", "index.html")
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


class DeployError(Exception):
    """The deploy stopped; the message says why and what to do."""


@dataclass
class Clients:
    """The AWS clients the deploy uses; tests hand in fakes."""
    sts: Any
    ssm: Any
    cloudformation: Any
    s3: Any
    cloudfront: Any
    region: str

    @classmethod
    def for_region(cls, region: str) -> "Clients":
        import boto3

        session = boto3.session.Session(region_name=region)
        return cls(*(session.client(name) for name in
                     ("sts", "ssm", "cloudformation", "s3", "cloudfront")), region=region)


@dataclass
class Options:
    stage: str
    build_dir: Path
    pwa_dist: Path
    domain: str | None = None  # None: keep what the stack has
    certificate_arn: str | None = None
    alarm_email: str | None = None
    say: Callable[[str], None] = field(default=print)


@dataclass(frozen=True)
class Stack:
    status: str
    outputs: dict[str, str]
    parameters: dict[str, str]


def stack_name(stage: str) -> str:
    return f"servicelane-{stage}"


def with_code_uri(template: dict, code_uri: str) -> dict:
    """The template with every function's code at `code_uri` (what `aws cloudformation
    package` does to Chalice's ./deployment.zip)."""
    placed = copy.deepcopy(template)
    for resource in placed["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri
    return placed


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed.endswith(("json", "javascript")):
        guessed += "; charset=utf-8"
    return guessed


def upload_order(dist: Path) -> list[Path]:
    """Every file of the build, the shell files last (index.html at the very end)."""
    files = sorted(path for path in dist.rglob("*") if path.is_file())

    def rank(path: Path) -> int:
        relative = path.relative_to(dist).as_posix()
        return SHELL_LAST.index(relative) + 1 if relative in SHELL_LAST else 0

    return sorted(files, key=rank)


def describe(cloudformation: Any, name: str) -> Stack | None:
    from botocore.exceptions import ClientError

    try:
        stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as err:
        if "does not exist" in str(err):
            return None
        raise
    return Stack(status=stack["StackStatus"],
                 outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
                 parameters={p["ParameterKey"]: p.get("ParameterValue", "")
                             for p in stack.get("Parameters", [])})


def live(stack: Stack | None) -> Stack | None:
    """The stack, unless it is only the shell a failed first change set leaves behind."""
    return None if stack is None or stack.status == "REVIEW_IN_PROGRESS" else stack


def deploy_stack(clients: Clients, name: str, template: dict[str, str],
                 parameters: list[dict], say: Callable[[str], None]) -> Stack:
    """Create or update `name` through a change set and wait for it. `template` is
    {"TemplateURL": ...} or {"TemplateBody": ...}."""
    from botocore.exceptions import WaiterError

    cfn = clients.cloudformation
    existing = live(describe(cfn, name))
    if existing and existing.status == "ROLLBACK_COMPLETE":
        raise DeployError(
            f"Stack {name} failed to create and was rolled back; see its events in "
            f"CloudFormation, delete it (aws cloudformation delete-stack --stack-name {name}) "
            "and deploy again. Resources kept by DeletionPolicy Retain (the table, the files and "
            "logs buckets) must be deleted or renamed first: their names are fixed.")
    if existing and existing.status.endswith("_IN_PROGRESS"):
        raise DeployError(f"Stack {name} is busy ({existing.status}); wait and deploy again.")
    change_set = f"deploy-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}"
    cfn.create_change_set(
        StackName=name, ChangeSetName=change_set, ChangeSetType="UPDATE" if existing else "CREATE",
        Parameters=parameters, Capabilities=CAPABILITIES,
        Tags=[{"Key": "app", "Value": "servicelane"}], **template)
    try:
        cfn.get_waiter("change_set_create_complete").wait(
            StackName=name, ChangeSetName=change_set, WaiterConfig={"Delay": 5, "MaxAttempts": 120})
    except WaiterError:
        described = cfn.describe_change_set(StackName=name, ChangeSetName=change_set)
        reason = described.get("StatusReason", "")
        if any(text in reason for text in NO_CHANGES):
            cfn.delete_change_set(StackName=name, ChangeSetName=change_set)
            say(f"  {name}: no changes")
            return describe(cfn, name)
        raise DeployError(f"Change set for {name} failed: {reason}") from None
    say(f"  {name}: {'updating' if existing else 'creating'} (CloudFront can take 5-15 minutes)")
    cfn.execute_change_set(StackName=name, ChangeSetName=change_set)
    waiter = "stack_update_complete" if existing else "stack_create_complete"
    try:
        cfn.get_waiter(waiter).wait(StackName=name, WaiterConfig={"Delay": 15, "MaxAttempts": 240})
    except WaiterError:
        raise DeployError(f"{name} did not deploy:\n{_failures(cfn, name)}") from None
    return describe(cfn, name)


def _failures(cfn: Any, name: str) -> str:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e.get("ResourceStatus", "").endswith("FAILED")][:10]
    return "\n".join(f"  {e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
                     for e in failed) or "  (no failed resource reported; see the stack's events)"


def upload_if_missing(s3: Any, bucket: str, key: str, body: bytes) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=key)
        return False
    except ClientError:
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        return True


def upload_build(clients: Clients, bucket: str, options: Options) -> str:
    """Upload the code and the template named by their SHA-256; return the template's URL."""
    code = (options.build_dir / "deployment.zip").read_bytes()
    code_key = f"{options.stage}/code/{hashlib.sha256(code).hexdigest()}.zip"
    if upload_if_missing(clients.s3, bucket, code_key, code):
        options.say(f"  uploaded the Lambda code ({len(code) / 1e6:.1f} MB)")
    template = with_code_uri(json.loads((options.build_dir / "sam.json").read_text()),
                             f"s3://{bucket}/{code_key}")
    body = json.dumps(template, indent=1, sort_keys=True).encode()
    template_key = f"{options.stage}/templates/{hashlib.sha256(body).hexdigest()}.json"
    upload_if_missing(clients.s3, bucket, template_key, body)
    return f"https://{bucket}.s3.{clients.region}.amazonaws.com/{template_key}"


def stack_parameters(options: Options, origin: str, existing: Stack | None) -> list[dict]:
    parameters = [{"ParameterKey": "Stage", "ParameterValue": options.stage},
                  {"ParameterKey": "PwaOrigin", "ParameterValue": origin}]
    for key, value in (("PwaDomain", options.domain),
                       ("PwaCertificateArn", options.certificate_arn),
                       ("AlarmEmail", options.alarm_email)):
        if value is not None:
            parameters.append({"ParameterKey": key, "ParameterValue": value})
        elif existing and key in existing.parameters:
            parameters.append({"ParameterKey": key, "UsePreviousValue": True})
        else:
            parameters.append({"ParameterKey": key, "ParameterValue": ""})
    return parameters


def pwa_origin(options: Options, existing: Stack | None) -> str:
    """The origin the files bucket lets upload: the custom domain, or CloudFront's address."""
    if options.domain:
        return f"https://{options.domain}"
    if options.domain is None and existing and existing.outputs.get("PwaUrl"):
        return existing.outputs["PwaUrl"]
    return PENDING_ORIGIN


def upload_pwa(s3: Any, bucket: str, dist: Path) -> int:
    files = upload_order(dist)
    for path in files:
        s3.upload_file(str(path), bucket, path.relative_to(dist).as_posix(),
                       ExtraArgs={"ContentType": content_type(path)})
    return len(files)


def invalidate(cloudfront: Any, distribution_id: str) -> None:
    answer = cloudfront.create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]},
                           "CallerReference": f"deploy-{time.time_ns()}"})
    cloudfront.get_waiter("invalidation_completed").wait(
        DistributionId=distribution_id, Id=answer["Invalidation"]["Id"],
        WaiterConfig={"Delay": 10, "MaxAttempts": 60})


def check_inputs(options: Options) -> None:
    template = options.build_dir / "sam.json"
    if not template.is_file() or not (options.build_dir / "deployment.zip").is_file():
        raise DeployError(f"No package in {options.build_dir}: run `make package STAGE={options.stage}`.")
    built_for = json.loads(template.read_text())["Parameters"]["Stage"].get("Default")
    if built_for != options.stage:
        raise DeployError(f"{template} was packaged for {built_for}, not {options.stage}: "
                          f"run `make package STAGE={options.stage}`.")
    if not (options.pwa_dist / "index.html").is_file():
        raise DeployError(f"No PWA build in {options.pwa_dist}: run `make pwa`.")
    if options.domain and not options.certificate_arn:
        raise DeployError("A custom domain needs its ACM certificate (us-east-1): "
                          "pass CERTIFICATE_ARN=arn:aws:acm:us-east-1:...")


def deploy(clients: Clients, options: Options) -> dict[str, str]:
    """The whole deploy; returns the stack's outputs."""
    say = options.say
    check_inputs(options)
    account = clients.sts.get_caller_identity()["Account"]
    name = stack_name(options.stage)
    say(f"Deploying {name} to account {account}, region {clients.region}")

    prepared = ssm.prepare(clients.ssm, options.stage)
    for secret in prepared.generated:
        say(f"  made the secret {secret.path(options.stage)}")
    if prepared.to_set:
        say("Secrets not set yet:\n" + ssm.instructions(options.stage, prepared.to_set))
    if prepared.blocking:
        raise DeployError("Set the required secrets above, then deploy again.")

    artifacts = deploy_stack(
        clients, f"{name}-artifacts",
        {"TemplateBody": (ROOT / "infra" / "artifacts.json").read_text()}, [], say)
    template_url = upload_build(clients, artifacts.outputs["BucketName"], options)

    existing = live(describe(clients.cloudformation, name))
    origin = pwa_origin(options, existing)
    stack = deploy_stack(clients, name, {"TemplateURL": template_url},
                         stack_parameters(options, origin, existing), say)
    if stack.outputs["PwaUrl"] != origin:
        say(f"  letting {stack.outputs['PwaUrl']} upload to the files bucket")
        stack = deploy_stack(clients, name, {"TemplateURL": template_url},
                             stack_parameters(options, stack.outputs["PwaUrl"], stack), say)
    if existing is None and options.stage == "prod":
        clients.cloudformation.update_termination_protection(
            StackName=name, EnableTerminationProtection=True)

    count = upload_pwa(clients.s3, stack.outputs["PwaBucketName"], options.pwa_dist)
    say(f"  uploaded the PWA ({count} files); invalidating CloudFront")
    invalidate(clients.cloudfront, stack.outputs["DistributionId"])

    outputs = stack.outputs
    say(f"\nServiceLane {options.stage} is up:\n"
        f"  app      {outputs['PwaUrl']}\n"
        f"  health   {outputs['PwaUrl']}/api/health\n"
        f"  API      {outputs['EndpointURL']} (direct, without CloudFront)\n"
        f"  alarms   {outputs['AlarmTopicArn']}"
        + ("" if stack.parameters.get("AlarmEmail") else
           f" (no subscriber: make deploy STAGE={options.stage} ALARM_EMAIL=ops@example.tw)"))
    if stack.parameters.get("PwaDomain"):
        say(f"  DNS      {stack.parameters['PwaDomain']} CNAME {outputs['DistributionDomain']}")
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--region", default=REGION)
    parser.add_argument("--build-dir", type=Path, help="default build/<stage>")
    parser.add_argument("--pwa-dist", type=Path, default=ROOT / "pwa" / "dist")
    parser.add_argument("--domain", help="custom domain for the app, e.g. app.example.tw ('' removes it)")
    parser.add_argument("--certificate-arn", help="ACM certificate for --domain, in us-east-1")
    parser.add_argument("--alarm-email", help="e-mail address subscribed to the alarms")
    args = parser.parse_args(argv)
    options = Options(stage=args.stage, build_dir=args.build_dir or ROOT / "build" / args.stage,
                      pwa_dist=args.pwa_dist, domain=args.domain,
                      certificate_arn=args.certificate_arn, alarm_email=args.alarm_email)
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            deploy(Clients.for_region(args.region), options)
        except (BotoCoreError, ClientError) as err:
            raise DeployError(f"AWS said: {err}") from None
    except DeployError as err:
        print(f"make deploy: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
