"""Small readers of a CloudFormation template, shared by the infra tests."""


def resources(template: dict, kind: str) -> dict[str, dict]:
    """The template's resources of one type, by logical name."""
    return {name: resource for name, resource in template["Resources"].items()
            if resource["Type"] == kind}
