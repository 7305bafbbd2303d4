"""The properties of the packaged stack that matter, read from the template `make package` built."""
import json
import os
import re
import subprocess
import sys

from devstack import ROOT, provision
from infra import ssm
from tests.infra.cfn import resources


def _sorted(items):
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def _get_att(name, attribute="Arn"):
    return {"Fn::GetAtt": [name, attribute]}


# The one secret the functions read so far: the JWT signing key's SecureString (infra/secrets.json).
JWT_KEY = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                      ":parameter/servicelane/${Stage}/jwt-signing-key"}
LINK_KEY = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                       ":parameter/servicelane/${Stage}/link-signing-key"}
LINE_SECRET = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                           ":parameter/servicelane/${Stage}/line/channel-secret"}
LINE_TOKEN = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                          ":parameter/servicelane/${Stage}/line/channel-access-token"}
SEAL_KEY = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                       ":parameter/servicelane/${Stage}/document-seal-key"}
VAPID_PRIVATE = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                             ":parameter/servicelane/${Stage}/vapid/private-key"}
VAPID_PUBLIC = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                            ":parameter/servicelane/${Stage}/vapid/public-key"}


def _per_shop(name):
    """A parameter every shop has its own of (infra/secrets.json PerShop): one Lambda serves every
    shop, so the role names it with * for the shop's id, and the code reads the caller's shop's."""
    return {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                       f":parameter/servicelane/${{Stage}}/einvoice/*/{name}"}


# The shop's ECPay account for 電子發票 (outward/einvoice/ecpay.centre_for): issue, void, allow.
CENTRE_ACCOUNT = {("ssm:GetParameter", json.dumps(_per_shop(name)))
                  for name in ("merchant-id", "hash-key", "hash-iv")}
QR_KEY = _per_shop("qr-key")  # the printed proof's QR codes (outward/invoicing.proof_link)
TABLE = json.dumps(_get_att("Table"))
LOOKUP_INDEX = json.dumps({"Fn::Sub": "${Table.Arn}/index/gsi1"})
LISTS_INDEX = json.dumps({"Fn::Sub": "${Table.Arn}/index/gsi2"})
INCOMING = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/incoming/*"})  # uploads not yet checked
PHOTOS = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/photos/*"})  # checked, EXIF-free sizes
SIGNATURES = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/signatures/*"})  # the signatures' PNGs
DOCUMENTS = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/documents/*"})  # signed documents' PDFs
LABELS = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/labels/*"})  # old-part labels to print
REPORTS = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/reports/*"})  # parts CSVs, data exports
CATALOGUE = json.dumps({"Fn::Sub": "${FilesBucket.Arn}/catalogue/*"})  # the tablets' snapshots
# The pieces Lambda, by its fixed name: its own role names it too, and a GetAtt there would make
# the function wait for its role and the role for the function (a circular reference).
PIECES = json.dumps({"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}"
                                ":function:servicelane-${Stage}-pieces"})

# An SMS straight to a phone number has no resource ARN: IAM allows it on "*" only. The role then
# denies Publish on every SNS ARN (topics, push endpoints), so "*" reaches phone numbers alone.
SMS = json.dumps("*")
SNS_ARNS = json.dumps({"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"})

# Sending the customer a message (chalicelib/outward/notify/): the customer's link written into it (the
# link key), messages, idempotency records and link codes in the table, the queue of held-back
# messages on gsi2, LINE's token, SES and SNS. The stream function and the schedule both send.
SENDS_MESSAGES = {
    ("ssm:GetParameter", json.dumps(LINK_KEY)),
    ("dynamodb:GetItem", TABLE), ("dynamodb:PutItem", TABLE), ("dynamodb:UpdateItem", TABLE),
    ("dynamodb:DeleteItem", TABLE), ("dynamodb:Query", TABLE), ("dynamodb:Query", LISTS_INDEX),
    ("ssm:GetParameter", json.dumps(LINE_TOKEN)),
    ("ssm:GetParameter", json.dumps(VAPID_PRIVATE)),  # signs Web Push messages (VAPID)
    ("ses:SendEmail", json.dumps({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}"
                                             ":${AWS::AccountId}:identity/*"})),
    ("sns:Publish", SMS),
}

# The daily job's tasks (chalicelib/after/daily.py), run by its pieces: follow-ups due onto
# their shop's list (gsi2), reminders sent as messages with the opt-out link, and the signed
# orders' check (the seal key, and what the documents cover, read by key).
DAILY_TASKS = SENDS_MESSAGES | {("ssm:GetParameter", json.dumps(SEAL_KEY)),
                                ("dynamodb:BatchGetItem", TABLE)}

# What each function may do, and on what: the whole of its role. A function that starts using
# something new adds it to its policy file (.chalice/policy-*.json) and here, on the one resource.
# TransactWriteItems has no action of its own: IAM authorises each Put, Update and Delete in it as
# PutItem, UpdateItem and DeleteItem (a ConditionCheck would need dynamodb:ConditionCheckItem).
ALLOWED = {
    "APIHandler": {
        ("logs:CreateLogStream", json.dumps(_get_att("ApiHandlerLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("ApiHandlerLogs"))),
        ("dynamodb:GetItem", TABLE),  # GET /api/health reads one key, as does every service
        ("dynamodb:PutItem", TABLE),  # conditional creates, and the Puts of transactions
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),  # a cleared sign-in guard, a removed order line
        ("dynamodb:Query", TABLE),  # one partition: an order with everything under it, a shop
        ("dynamodb:BatchGetItem", TABLE),  # a crate of part tags scanned in a row, in one read
        ("dynamodb:Query", LOOKUP_INDEX),  # gsi1: a phone, a plate, a vehicle's orders
        ("dynamodb:Query", LISTS_INDEX),  # gsi2: the board, jobs, a day's bookings, owned vehicles
        ("s3:ListBucket", json.dumps(_get_att("FilesBucket"))),  # the health check heads the bucket
        # The walk-around's write checks the order is still before authorization, in one transaction.
        ("dynamodb:ConditionCheckItem", TABLE),
        # A presigned POST is the API's PutObject on incoming/; complete reads it (HEAD is a
        # GetObject), writes the display and thumbnail under photos/ and deletes the upload;
        # presigned GETs read photos/; a removed photo deletes its sizes.
        ("s3:PutObject", INCOMING), ("s3:GetObject", INCOMING), ("s3:DeleteObject", INCOMING),
        ("s3:PutObject", PHOTOS), ("s3:GetObject", PHOTOS), ("s3:DeleteObject", PHOTOS),
        # A signature's PNG and its document's PDF are written once and read (verification,
        # presigned GETs); nothing of a signature is ever deleted: it is evidence.
        ("s3:PutObject", SIGNATURES), ("s3:GetObject", SIGNATURES),
        ("s3:PutObject", DOCUMENTS), ("s3:GetObject", DOCUMENTS),
        # Part labels and the month's CSV are written, then read through presigned GETs.
        ("s3:PutObject", LABELS), ("s3:GetObject", LABELS),
        ("s3:PutObject", REPORTS), ("s3:GetObject", REPORTS),
        # The catalogue's snapshot, built when it is behind, read through a presigned GET, the
        # one it replaces deleted; a restored export's catalogue written 25 items a request.
        ("s3:PutObject", CATALOGUE), ("s3:GetObject", CATALOGUE), ("s3:DeleteObject", CATALOGUE),
        ("dynamodb:BatchWriteItem", TABLE),
        ("ssm:GetParameter", json.dumps(JWT_KEY)),  # signs access tokens at sign-in and refresh
        ("ssm:GetParameter", json.dumps(LINK_KEY)),  # derives the customer's progress-link tokens
        ("ssm:GetParameter", json.dumps(SEAL_KEY)),  # seals signed documents, checks their seals
        # Notifications: the LINE webhook's signature check, and a resend on any channel.
        ("ssm:GetParameter", json.dumps(LINE_SECRET)), ("ssm:GetParameter", json.dumps(LINE_TOKEN)),
        # The page's 通知我 subscribes with the VAPID public key; a push resend signs with the private.
        ("ssm:GetParameter", json.dumps(VAPID_PUBLIC)),
        ("ssm:GetParameter", json.dumps(VAPID_PRIVATE)),
        ("ses:SendEmail", json.dumps({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}"
                                                 ":${AWS::AccountId}:identity/*"})),
        ("sns:Publish", SMS),
        ("lambda:InvokeFunction", PIECES),  # POST /api/exports asks for the export's first piece
        # 電子發票: 「重新傳送」 a queued invoice, 作廢 and 折讓 at the shop's centre account (the
        # writes are the table's Get/Update/Put above); the 證明聯 counts its print (an ADD,
        # UpdateItem), keeps the PDF or PNG under reports/ and draws the QR codes with the QR key.
        *CENTRE_ACCOUNT,
        ("ssm:GetParameter", json.dumps(QR_KEY)),
    },
    "StaffToken": {  # the built-in authorizer: verifies access tokens, nothing else
        ("logs:CreateLogStream", json.dumps(_get_att("StaffTokenLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("StaffTokenLogs"))),
        ("ssm:GetParameter", json.dumps(JWT_KEY)),
    },
    "OnChange": {
        ("logs:CreateLogStream", json.dumps(_get_att("OnChangeLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("OnChangeLogs"))),
        ("dynamodb:DescribeStream", json.dumps(_get_att("Table", "StreamArn"))),
        ("dynamodb:GetRecords", json.dumps(_get_att("Table", "StreamArn"))),
        ("dynamodb:GetShardIterator", json.dumps(_get_att("Table", "StreamArn"))),
        # IAM authorises ListStreams on no particular stream; SAM's DynamoDBStreamReadPolicy
        # scopes it to the table's streams like this, the narrowest form it can take.
        ("dynamodb:ListStreams", json.dumps({"Fn::Sub": "${Table.Arn}/stream/*"})),
        ("sqs:SendMessage", json.dumps(_get_att("StreamFailures"))),
        *SENDS_MESSAGES,
        # A part line's reservation checks, in its transaction, that its order is not cancelled.
        ("dynamodb:ConditionCheckItem", TABLE),
        # A new queued invoice is sent at once (invoicing.on_invoice): read consistently (GetItem),
        # then the invoice and its order's header updated in one transaction (UpdateItem each).
        *CENTRE_ACCOUNT,
    },
    # Every 15 minutes, the messages quiet hours held back, once due: it only asks for one piece
    # per shard of shops (notify.send_due_now); the pieces send them with their own rights.
    "SendQueuedMessages": {
        ("logs:CreateLogStream", json.dumps(_get_att("SendQueuedMessagesLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("SendQueuedMessagesLogs"))),
        ("lambda:InvokeFunction", PIECES),
    },
    # Every 5 minutes, the invoices the value-added centre could not take, once due
    # (invoicing.send_due): the due ones from the queue on gsi1, each read consistently, sent
    # with its shop's centre account, and moved with its order's header in one transaction of
    # two updates (no ConditionCheck: the invoice's condition is its own update's).
    "SendQueuedInvoices": {
        ("logs:CreateLogStream", json.dumps(_get_att("SendQueuedInvoicesLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("SendQueuedInvoicesLogs"))),
        ("dynamodb:Query", LOOKUP_INDEX),
        ("dynamodb:GetItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        *CENTRE_ACCOUNT,
    },
    # 06:00 in Taipei: it only asks for one piece per shard of shops (daily.run); the pieces
    # run the tasks with their own rights.
    "DailyJobs": {
        ("logs:CreateLogStream", json.dumps(_get_att("DailyJobsLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("DailyJobsLogs"))),
        ("lambda:InvokeFunction", PIECES),  # one piece per shard of shops
    },
    # Long work, each piece an asynchronous invocation (chalicelib/core/pieces.py): the daily
    # job's tasks for a shard of shops, and a shop's or a customer's data export.
    "Pieces": {
        ("logs:CreateLogStream", json.dumps(_get_att("PiecesLogs"))),
        ("logs:PutLogEvents", json.dumps(_get_att("PiecesLogs"))),
        *DAILY_TASKS,
        # An export reads what the shop holds: a customer's appointments and a phone (gsi1)
        # besides the board and the cases (gsi2), and records its progress and audit item.
        ("dynamodb:Query", LOOKUP_INDEX),
        # Its parts and the final files, one PutObject each (no multipart upload: see
        # test_no_code_uploads_in_parts), read back to be joined and through presigned GETs.
        ("s3:PutObject", REPORTS), ("s3:GetObject", REPORTS),
        ("s3:GetObject", PHOTOS),  # a customer's photos, into their export's zip
        # A price list's parts, 25 a request, then the catalogue's snapshot built for the tablets.
        ("dynamodb:BatchWriteItem", TABLE),
        ("s3:PutObject", CATALOGUE), ("s3:DeleteObject", CATALOGUE),
        ("lambda:InvokeFunction", PIECES),  # the export's next piece
        # Lambda sends a piece that failed for good to the on-failure destination with the
        # function's own role.
        ("sqs:SendMessage", json.dumps(_get_att("PieceFailures"))),
    },
}

# The answers API Gateway gives by itself, without calling the API: (status, error code).
# A status of None keeps API Gateway's own (429, 413, 502, 504 ...).
GATEWAY_RESPONSES = {
    "UNAUTHORIZED": ("401", "unauthorized"),  # no Authorization header: the authorizer never runs
    "ACCESS_DENIED": ("401", "unauthorized"),  # the authorizer refused the token (expired, forged)
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"),  # what API Gateway says to unknown paths
    "THROTTLED": (None, "too_many_requests"),
    "DEFAULT_4XX": (None, "request_error"),
    "DEFAULT_5XX": (None, "unavailable"),  # the authorizer failed (SSM), the API timed out ...
}


def _statements(template, role):
    policies = template["Resources"][role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def _as_list(value):
    return value if isinstance(value, list) else [value]


# -- the table -------------------------------------------------------------------------------

def test_the_table_and_its_indexes_are_the_ones_the_local_stack_creates(template):
    table = template["Resources"]["Table"]["Properties"]
    local = provision.table_definition()
    assert table["KeySchema"] == local["KeySchema"]
    assert _sorted(table["AttributeDefinitions"]) == _sorted(local["AttributeDefinitions"])
    assert _sorted(table["GlobalSecondaryIndexes"]) == _sorted(local["GlobalSecondaryIndexes"])
    assert table["BillingMode"] == local["BillingMode"] == "PAY_PER_REQUEST"
    assert local["StreamSpecification"] == {"StreamEnabled": True, **table["StreamSpecification"]}
    assert table["TimeToLiveSpecification"] == provision.time_to_live()


def test_the_table_keeps_its_data_and_streams_every_change(template):
    table = template["Resources"]["Table"]
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


# -- buckets ---------------------------------------------------------------------------------

def test_no_bucket_is_public_and_every_bucket_is_encrypted_and_versioned(template):
    buckets = resources(template, "AWS::S3::Bucket")
    assert set(buckets) == {"FilesBucket", "LogsBucket", "PwaBucket"}
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}, name
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        assert "AccessControl" not in props and "WebsiteConfiguration" not in props, name
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms"), name
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, name


def test_bucket_policies_grant_nothing_to_everyone_and_refuse_plain_http(template):
    policies = resources(template, "AWS::S3::BucketPolicy")
    assert {p["Properties"]["Bucket"]["Ref"] for p in policies.values()} == {
        "FilesBucket", "LogsBucket", "PwaBucket"}
    for name, policy in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        for statement in statements:
            if statement["Effect"] == "Allow":
                assert statement["Principal"] not in ("*", {"AWS": "*"}), name
                assert "Service" in statement["Principal"] and "Condition" in statement, name
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements), name


def test_the_files_bucket_lets_only_the_pwa_origin_upload_and_cleans_up(template):
    props = template["Resources"]["FilesBucket"]["Properties"]
    (cors,) = props["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedOrigins"] == [{"Ref": "PwaOrigin"}]
    rules = {rule["Id"]: rule for rule in props["LifecycleConfiguration"]["Rules"]}
    assert rules["abort-incomplete-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    # Files made to be fetched once through a 15-minute link: gone the next day, every version.
    for rule, prefix in (("unconfirmed-uploads", "incoming/"), ("printed-labels", "labels/"),
                         ("report-downloads", "reports/")):
        assert rules[rule]["Prefix"] == prefix
        assert rules[rule]["ExpirationInDays"] == 1
        assert rules[rule]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    retention = {rule["TagFilters"][0]["Value"]: rule["ExpirationInDays"]
                 for rule in rules.values() if rule.get("TagFilters")}
    assert retention == {"1y": 366, "3y": 1096, "5y": 1827, "10y": 3653}
    assert rules["erased-and-replaced-versions"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "LogsBucket"}


# -- functions and their permissions ---------------------------------------------------------

def test_each_function_has_a_role_of_its_own(template):
    functions = resources(template, "AWS::Serverless::Function")
    assert set(functions) == set(ALLOWED)
    roles = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]
    assert len(set(roles)) == len(roles)
    for role in roles:
        props = template["Resources"][role]["Properties"]
        assert "ManagedPolicyArns" not in props
        assert props["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
            "Service": "lambda.amazonaws.com"}


def test_the_api_has_the_memory_to_draw_a_signed_document(template):
    """Drawing a PDF with the CJK font takes some 45–70 MB and CPU; Lambda gives CPU by memory."""
    api = resources(template, "AWS::Serverless::Function")["APIHandler"]["Properties"]
    assert api["MemorySize"] >= 1024


def test_each_function_may_do_only_what_it_does_on_only_what_it_needs(template):
    for function, allowed in ALLOWED.items():
        role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        granted, denied = set(), set()
        for statement in _statements(template, role):
            assert statement["Effect"] in ("Allow", "Deny")
            assert "NotAction" not in statement and "NotResource" not in statement
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{function}: wildcard action {action}"
                for resource in _as_list(statement["Resource"]):
                    pair = (action, json.dumps(resource))
                    (granted if statement["Effect"] == "Allow" else denied).add(pair)
        assert granted == allowed, function
        for action, resource in granted:
            assert resource != json.dumps("*") or (action, resource) == ("sns:Publish", SMS), \
                f"{function}: {action} on every resource"
        # The one "*" (SMS to a phone number) comes with the deny that keeps it to phone numbers.
        assert denied == ({("sns:Publish", SNS_ARNS)} if ("sns:Publish", SMS) in granted
                          else set()), function


def test_no_role_uses_wildcards_on_dynamodb_or_s3(template):
    stack_resources = {"Table", "FilesBucket", "PwaBucket", "LogsBucket"}
    for role in resources(template, "AWS::IAM::Role"):
        for statement in _statements(template, role):
            actions = _as_list(statement["Action"])
            if not any(a.startswith(("dynamodb:", "s3:")) for a in actions):
                continue
            for resource in _as_list(statement["Resource"]):
                text = json.dumps(resource)
                assert any(name in text for name in stack_resources), (role, text)
                stream_listing = actions == ["dynamodb:ListStreams"]
                # Objects under one named prefix of the files bucket, never the whole bucket.
                object_prefix = text in (INCOMING, PHOTOS, SIGNATURES, DOCUMENTS, LABELS, REPORTS,
                                         CATALOGUE)
                assert "*" not in text or stream_listing or object_prefix, (role, text)


def test_functions_use_the_stack_s_own_table_bucket_and_origin_and_log_a_year(template):
    for name, function in resources(template, "AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["SL_TABLE"] == {"Ref": "Table"}
        assert variables["SL_BUCKET"] == {"Ref": "FilesBucket"}
        # Links in messages and documents (progress, opt-out, verify) start with the app's
        # origin, where CloudFront serves /t/*, /o/* and /api/* too: never the local default.
        assert variables["SL_PUBLIC_ORIGIN"] == {"Ref": "PwaOrigin"}
        assert function["Properties"]["Runtime"] == "python3.11"
        (log_group,) = function["DependsOn"]
        logs = template["Resources"][log_group]["Properties"]
        assert logs["LogGroupName"] == {"Fn::Sub": "/aws/lambda/" + function["Properties"]["FunctionName"]["Fn::Sub"]}
        assert logs["RetentionInDays"] == 365


def test_the_local_names_are_the_cloud_names(template):
    """.chalice/config.json names the table and bucket for each stage: they are the stack's."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for stage in ("dev", "prod"):
        variables = config["stages"][stage]["environment_variables"]
        table = template["Resources"]["Table"]["Properties"]["TableName"]["Fn::Sub"]
        bucket = template["Resources"]["FilesBucket"]["Properties"]["BucketName"]["Fn::Sub"]
        assert variables["SL_TABLE"] == table.replace("${Stage}", stage)
        assert variables["SL_BUCKET"] == bucket.replace("${Stage}", stage)



def test_the_functions_read_the_jwt_key_that_make_deploy_makes(template):
    (secret,) = [s for s in ssm.listed() if s.name == "jwt-signing-key"]
    assert secret.generate and secret.required
    arn = JWT_KEY["Fn::Sub"]
    assert arn.endswith(":parameter" + secret.path("${Stage}"))
    for function in ("APIHandler", "StaffToken"):
        role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        ssm_resources = [json.dumps(resource) for statement in _statements(template, role)
                         for action in _as_list(statement["Action"]) if action.startswith("ssm:")
                         for resource in _as_list(statement["Resource"])]
        assert json.dumps(JWT_KEY) in ssm_resources, function


def test_the_api_and_the_stream_function_read_the_link_key_that_make_deploy_makes(template):
    (secret,) = [s for s in ssm.listed() if s.name == "link-signing-key"]
    assert secret.generate and secret.required
    assert LINK_KEY["Fn::Sub"].endswith(":parameter" + secret.path("${Stage}"))
    for function in ("APIHandler", "OnChange"):
        role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        ssm_resources = [json.dumps(resource) for statement in _statements(template, role)
                         for action in _as_list(statement["Action"]) if action.startswith("ssm:")
                         for resource in _as_list(statement["Resource"])]
        assert json.dumps(LINK_KEY) in ssm_resources, function


def test_the_functions_read_per_shop_own_parameters_where_infra_ssm_sets_them(template):
    """einvoice/<shop_id>/… (infra/secrets.json PerShop): the roles' ARNs are the paths infra.ssm
    writes with * for the shop's id, and only the functions that talk to the centre read them."""
    patterns = {pattern.name.rsplit("/", 1)[1]: pattern for pattern in ssm.per_shop()}
    assert set(patterns) == {"merchant-id", "hash-key", "hash-iv", "qr-key"}
    for name, pattern in patterns.items():
        arn = _per_shop(name)["Fn::Sub"]
        assert arn.endswith(":parameter" + pattern.path_pattern("${Stage}")), name
        assert pattern.for_shop("shop-1").path("dev") == f"/servicelane/dev/einvoice/shop-1/{name}"
    readers = {}
    for function in resources(template, "AWS::Serverless::Function"):
        role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        readers[function] = {json.dumps(resource) for statement in _statements(template, role)
                             for action in _as_list(statement["Action"]) if action.startswith("ssm:")
                             for resource in _as_list(statement["Resource"])
                             if "/einvoice/" in json.dumps(resource)}
    account = {resource for _, resource in CENTRE_ACCOUNT}
    assert {name for name, read in readers.items() if read} == {
        "APIHandler", "OnChange", "SendQueuedInvoices"}
    assert readers["APIHandler"] == account | {json.dumps(QR_KEY)}
    assert readers["OnChange"] == readers["SendQueuedInvoices"] == account


def test_in_the_cloud_secrets_come_from_ssm_of_the_function_s_own_stage(template):
    """SL_SECRETS_DIR (secrets in local files) is for local engines only; SL_STAGE names the
    parameter path /servicelane/<stage>/ that the roles allow."""
    for name, function in resources(template, "AWS::Serverless::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert "SL_SECRETS_DIR" not in variables, name
        assert variables["SL_STAGE"] == "dev", name
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert "SL_SECRETS_DIR" not in config.get("environment_variables", {})
    for stage in ("dev", "prod"):
        variables = config["stages"][stage]["environment_variables"]
        assert "SL_SECRETS_DIR" not in variables and variables["SL_STAGE"] == stage


# -- the authorizer and what API Gateway answers by itself -----------------------------------

def test_the_authorizer_is_its_own_function_reading_the_bearer_header(template):
    function = template["Resources"]["StaffToken"]
    assert function["Properties"]["Handler"] == "app.staff_token"
    assert function["Properties"]["FunctionName"] == {"Fn::Sub": "servicelane-${Stage}-authorizer"}
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    definition = body["securityDefinitions"]["staff_token"]
    assert (definition["in"], definition["name"]) == ("header", "Authorization")
    authorizer = definition["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "token"
    assert "${StaffToken.Arn}" in authorizer["authorizerUri"]["Fn::Sub"]
    # API Gateway caches an answer per token for this long (300 s when unset); access tokens
    # live 15 minutes, so a cached answer outlives its token's expiry by at most this much.
    assert 0 <= authorizer.get("authorizerResultTtlInSeconds", 300) <= 300
    assert "security" not in body["paths"]["/api/health"]["get"]  # the deploy's check stays open
    assert body["paths"]["/api/me"]["get"]["security"] == [{"staff_token": []}]


def _gateway_response_headers():
    from app import SECURITY_HEADERS  # the API's own answers carry these

    return {name: f"'{value}'" for name, value in SECURITY_HEADERS.items()}


def test_api_gateway_answers_a_missing_or_refused_token_as_the_api_would(template):
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    for kind in ("UNAUTHORIZED", "ACCESS_DENIED"):
        response = responses[kind]
        assert response["StatusCode"] == "401", kind
        assert json.loads(response["ResponseTemplates"]["application/json"]) == {
            "error": {"code": "unauthorized", "message": "請重新登入。"}}, kind
        assert response["ResponseParameters"]["Headers"]["WWW-Authenticate"] == "'Bearer'"


def test_every_answer_of_api_gateway_itself_has_our_error_shape_and_headers(template, transformed):
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert set(responses) == set(GATEWAY_RESPONSES)
    expected_headers = _gateway_response_headers()
    for kind, (status, code) in GATEWAY_RESPONSES.items():
        response = responses[kind]
        assert response.get("StatusCode") == status, kind
        (template_type, text), = response["ResponseTemplates"].items()
        assert template_type == "application/json"
        assert "$" not in text and "#" not in text, kind  # literal text, nothing for VTL to expand
        error = json.loads(text)["error"]
        assert error["code"] == code and set(error) == {"code", "message"}, kind
        assert any("\u4e00" <= char <= "\u9fff" for char in error["message"]), kind  # zh-TW
        headers = response["ResponseParameters"]["Headers"]
        assert expected_headers.items() <= headers.items(), kind
    # The SAM transform writes them into the API definition itself, so they are part of each
    # deployment of the stage (AWS::ApiGateway::GatewayResponse resources beside a SAM API are
    # not redeployed with it, and get lost).
    (api,) = resources(transformed, "AWS::ApiGateway::RestApi").values()
    deployed = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    assert set(deployed) == set(GATEWAY_RESPONSES)
    assert deployed["ACCESS_DENIED"]["statusCode"] == "401"
    assert deployed["ACCESS_DENIED"]["responseParameters"]["gatewayresponse.header.Cache-Control"] == "'no-store'"
    assert resources(transformed, "AWS::ApiGateway::GatewayResponse") == {}

# -- the stream ------------------------------------------------------------------------------

def test_queued_messages_are_sent_every_15_minutes(template):
    (event,) = template["Resources"]["SendQueuedMessages"]["Properties"]["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "rate(15 minutes)"


def test_queued_invoices_are_sent_again_every_5_minutes_and_a_run_ends_before_the_next(template):
    function = template["Resources"]["SendQueuedInvoices"]["Properties"]
    (event,) = function["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "rate(5 minutes)"
    assert function["Handler"] == "app.send_queued_invoices"
    # Each try may wait for the centre's time-out: more than the default minute, no longer than
    # the rate, so runs do not pile up while the centre is down.
    assert 60 < function["Timeout"] <= 300


def test_the_daily_job_runs_at_six_in_the_morning_taipei_time(template):
    (event,) = template["Resources"]["DailyJobs"]["Properties"]["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "cron(0 22 * * ? *)"  # 22:00 UTC = 06:00 UTC+8
    assert template["Resources"]["DailyJobs"]["Properties"]["Timeout"] == 300


def test_the_stream_handler_reads_the_real_stream_and_dead_letters_what_fails(template, transformed):
    (event,) = template["Resources"]["OnChange"]["Properties"]["Events"].values()
    assert event["Type"] == "DynamoDB"
    (mapping,) = resources(transformed, "AWS::Lambda::EventSourceMapping").values()
    for props in (event["Properties"], mapping["Properties"]):
        assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert props["BisectBatchOnFunctionError"] is True
        assert 1 <= props["MaximumRetryAttempts"] <= 10
        assert props["DestinationConfig"] == {"OnFailure": {"Destination": _get_att("StreamFailures")}}
        assert props["BatchSize"] == 100
    assert event["Properties"]["Stream"] == _get_att("Table", "StreamArn")
    assert mapping["Properties"]["EventSourceArn"] == _get_att("Table", "StreamArn")
    queue = template["Resources"]["StreamFailures"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600


# -- long work in pieces ---------------------------------------------------------------------

def test_only_the_api_the_schedules_and_a_piece_may_ask_for_a_piece_and_nothing_else(template):
    """lambda:InvokeFunction on the pieces function alone, by the four that ask for a piece:
    an export or import started at the API, the daily job's and the 15-minute schedule's
    shards, a piece's next piece."""
    invokes = {}
    for function in resources(template, "AWS::Serverless::Function"):
        role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
        invokes[function] = {(action, json.dumps(resource))
                             for statement in _statements(template, role)
                             for action in _as_list(statement["Action"])
                             if action.startswith("lambda:")
                             for resource in _as_list(statement["Resource"])}
    asked_by = {"APIHandler", "DailyJobs", "SendQueuedMessages", "Pieces"}
    assert {name for name, granted in invokes.items() if granted} == asked_by
    for name in asked_by:
        assert invokes[name] == {("lambda:InvokeFunction", PIECES)}, name


def test_the_function_the_code_invokes_is_the_pieces_function_the_roles_name(template):
    function = template["Resources"]["Pieces"]["Properties"]
    assert function["Handler"] == "app.run_piece"  # which runs only the pieces app.py lists
    name = function["FunctionName"]["Fn::Sub"]
    assert json.loads(PIECES)["Fn::Sub"].endswith(f":function:{name}")
    # The name chalicelib/core/pieces.py invokes, read as the dev stage's Lambda would read it.
    result = subprocess.run([sys.executable, "-c", "from chalicelib.core import pieces; "
                             "print(pieces.function_name())"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "SL_STAGE": "dev"})
    assert result.stdout.strip() == name.replace("${Stage}", "dev"), result.stderr


def test_a_piece_has_fifteen_minutes_and_a_gigabyte_and_failed_pieces_land_in_their_queue(
        template, transformed):
    function = template["Resources"]["Pieces"]["Properties"]
    assert function["Timeout"] == 900  # Lambda's longest: a piece stops well before, saving where
    assert function["MemorySize"] >= 1024  # an export joins its CSVs into a zip in memory
    # A piece asks for the next: Lambda's recursive loop detection would stop such a chain after
    # about 16 invocations (it watches loops of Lambda functions alone too) and drop the rest of
    # a long export into the failure queue. Allowed, with an alarm on runaway invocations.
    assert function["RecursiveLoop"] == "Allow"
    assert transformed["Resources"]["Pieces"]["Properties"]["RecursiveLoop"] == "Allow"
    config = function["EventInvokeConfig"]
    (invoke_config,) = resources(transformed, "AWS::Lambda::EventInvokeConfig").values()
    assert invoke_config["Properties"]["FunctionName"] == {"Ref": "Pieces"}
    for props in (config, invoke_config["Properties"]):
        assert props["MaximumRetryAttempts"] == 2
        # Long enough for the 64 daily pieces to drain through a new account's 10 executions
        # (15 minutes each at worst: 1 h 40), short enough to alarm before the shops' morning.
        assert 2 * 3600 <= props["MaximumEventAgeInSeconds"] <= 4 * 3600
        assert props["DestinationConfig"]["OnFailure"]["Destination"] == _get_att("PieceFailures")
    queue = template["Resources"]["PieceFailures"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    # Lambda delivers to the destination with the function's role; SAM adds nothing to a role it
    # did not make, so the transformed role is the one the policy file declares.
    role = transformed["Resources"]["PiecesRole"]["Properties"]["Policies"]
    assert [s for p in role for s in p["PolicyDocument"]["Statement"]] == \
        _statements(template, "PiecesRole")


# Managed transfers and multipart calls: an upload in parts that fails is aborted with
# s3:AbortMultipartUpload, which no role has (the bucket's lifecycle clears what is left after a
# day). Every file is written with one PutObject (up to 5 GB).
MULTIPART = re.compile(r"\b(upload_fileobj|upload_file|create_multipart_upload|upload_part|"
                       r"TransferConfig|s3transfer)\b")


def test_no_code_uploads_in_parts():
    sources = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}" for path in sources
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if MULTIPART.search(line)]
    assert found == [], ("an upload in parts needs s3:AbortMultipartUpload (and "
                         "s3:ListMultipartUploadParts to resume) on its prefix in the writing "
                         f"function's policy and in ALLOWED: {found}")


# -- the PWA and CloudFront ------------------------------------------------------------------

def _distribution(template):
    return template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]


def _headers(template, policy):
    return template["Resources"][policy]["Properties"]["ResponseHeadersPolicyConfig"]


def test_the_pwa_and_the_api_share_one_https_origin(template):
    config = _distribution(template)
    origins = {origin["Id"]: origin for origin in config["Origins"]}
    assert origins["pwa"]["OriginAccessControlId"] == _get_att("PwaOriginAccess", "Id")
    assert origins["api"]["DomainName"]["Fn::Sub"].startswith("${RestAPI}.execute-api.")
    assert origins["api"]["OriginPath"] == "/api"  # API Gateway's stage: /api/health -> /api/api/health
    assert origins["api"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    # The API, the customer's progress link, the reminders' opt-out link, the booking page and
    # a booking's manage link: never cached.
    for pattern in ("/api/*", "/t/*", "/o/*", "/b/*", "/m/*"):
        api = behaviours[pattern]
        assert api["TargetOriginId"] == "api"
        assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
        assert {"POST", "PUT", "DELETE", "PATCH"} <= set(api["AllowedMethods"])
    for behaviour in [config["DefaultCacheBehavior"], *behaviours.values()]:
        assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")


def test_hashed_assets_are_cached_for_a_year_and_the_shell_is_checked_every_time(template):
    config = _distribution(template)
    assets = next(b for b in config["CacheBehaviors"] if b["PathPattern"] == "/assets/*")

    def cache_control(policy):
        items = _headers(template, policy["Ref"])["CustomHeadersConfig"]["Items"]
        return next(i["Value"] for i in items if i["Header"] == "Cache-Control")

    assert cache_control(assets["ResponseHeadersPolicyId"]) == "public, max-age=31536000, immutable"
    assert cache_control(config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]) == "no-cache"


def test_the_shell_is_sent_with_strict_security_headers(template):
    security = _headers(template, "ShellHeaders")["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    assert "default-src 'self'" in csp and "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp and "${FilesBucket.RegionalDomainName}" in csp
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert security["ContentTypeOptions"] == {"Override": True}


def test_only_this_distribution_reads_the_pwa_bucket(template):
    statements = template["Resources"]["PwaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${Distribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_app_routes_get_index_html_and_files_stay_files(template):
    code = template["Resources"]["AppRoutes"]["Properties"]["FunctionCode"]
    paths = ["/", "/orders/42", "/q/abc", "/assets/index-1a2b.js", "/sw.js", "/manifest.webmanifest"]
    script = code + f"console.log(JSON.stringify({json.dumps(paths)}.map(" \
                    "u => handler({request: {uri: u}}).uri)));"
    rewritten = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True,
                                          check=True).stdout)
    assert rewritten == ["/index.html", "/index.html", "/index.html", "/assets/index-1a2b.js",
                         "/sw.js", "/manifest.webmanifest"]


# -- alarms ----------------------------------------------------------------------------------

def test_alarms_watch_errors_throttles_lag_and_the_dead_letter_queue(template):
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    watched = set()
    for alarm in alarms:
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        (dimension, *_) = props["Dimensions"]
        watched.add((props["MetricName"], json.dumps(dimension["Value"])))
    for function in ("APIHandler", "StaffToken", "OnChange", "SendQueuedMessages",
                     "SendQueuedInvoices", "DailyJobs"):
        assert ("Errors", json.dumps({"Ref": function})) in watched
        assert ("Throttles", json.dumps({"Ref": function})) in watched
    assert ("IteratorAge", json.dumps({"Ref": "OnChange"})) in watched
    # A throttled piece waits in Lambda's queue and runs later (the 06:00 burst of 64 on a new
    # account throttles every day): its errors, and the pieces that failed for good, are watched.
    assert ("Errors", json.dumps({"Ref": "Pieces"})) in watched
    assert ("DestinationDeliveryFailures", json.dumps({"Ref": "Pieces"})) in watched
    assert ("Invocations", json.dumps({"Ref": "Pieces"})) in watched  # a chain without end
    for queue in ("StreamFailures", "PieceFailures"):
        assert ("ApproximateNumberOfMessagesVisible",
                json.dumps(_get_att(queue, "QueueName"))) in watched
    assert template["Resources"]["AlarmTopic"]["Type"] == "AWS::SNS::Topic"


def test_the_package_deploys_its_own_stage_by_default(template):
    assert template["Parameters"]["Stage"]["Default"] == "dev"
    assert template["Parameters"]["Stage"]["AllowedValues"] == ["dev", "prod"]
