"""`make package`: what goes into the Lambda code, and the guards of the merge."""
import json
import zipfile

import pytest

from infra import package


def test_the_package_holds_the_template_the_code_and_the_merge_template(package_dir):
    assert {path.name for path in package_dir.iterdir()} == {"sam.json", "deployment.zip", "infra.json"}
    template = json.loads((package_dir / "sam.json").read_text())
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    for function in ("APIHandler", "StaffToken", "OnChange", "SendQueuedMessages",
                     "SendQueuedInvoices", "DailyJobs", "Pieces"):
        assert template["Resources"][function]["Properties"]["CodeUri"] == "./deployment.zip"


def test_the_code_is_the_app_and_its_run_time_lock_and_nothing_else_of_the_tree(package_dir):
    names = zipfile.ZipFile(package_dir / "deployment.zip").namelist()
    tops = {name.split("/")[0] for name in names}
    assert {"app.py", "chalicelib", "chalice", "argon2", "aws_lambda_powertools", "boto3"} <= tops
    assert not tops & {"tests", "devstack", "infra", "pwa", "docs", "node_modules", ".local"}
    # Bytecode comes only from precompile(), one file beside each module, none from the tree.
    sources = {name for name in names if name.endswith(".py")}
    for name in names:
        if name.endswith(".pyc"):
            assert name.endswith(".cpython-311.pyc") and "/__pycache__/" in "/" + name, name
            folder, _, file = name.rpartition("__pycache__/")
            assert f"{folder}{file.split('.')[0]}.py" in sources, name
    # The Lambda runs on Amazon Linux: compiled wheels are the manylinux builds for Python 3.11.
    assert any(name.startswith("_argon2_cffi_bindings/") and name.endswith(".so") for name in names)


def test_build_time_assets_land_at_the_root_of_the_lambda_code(tmp_path, monkeypatch):
    def a_font(vendor):
        (vendor / "fonts").mkdir()
        (vendor / "fonts" / "example.otf").write_bytes(b"OTTO")

    monkeypatch.setattr(package, "BUILD_ASSETS", (a_font,))
    out = package.build("prod", tmp_path / "prod", work=tmp_path / "src")
    with zipfile.ZipFile(out / "deployment.zip") as code:
        assert code.read("fonts/example.otf") == b"OTTO"
    assert json.loads((out / "sam.json").read_text())["Parameters"]["Stage"]["Default"] == "prod"


def test_the_cjk_fonts_are_in_the_lambda_code_where_the_pdf_finds_them(package_dir, tmp_path):
    import subprocess
    import sys

    from chalicelib.work import fonts

    wanted = {f"fonts/{filename}" for _, filename, _ in fonts.FACES.values()}
    with zipfile.ZipFile(package_dir / "deployment.zip") as code:
        assert wanted <= set(code.namelist())
        for name in wanted:
            assert code.read(name)[:4] == b"\x00\x01\x00\x00", name  # TrueType outlines
        code.extractall(tmp_path, [name for name in code.namelist()
                                   if name.startswith("chalicelib/") or name in wanted])
    # As in /var/task: the packaged font is found beside the code, nothing is made.
    result = subprocess.run([sys.executable, "-c", "from chalicelib.work import fonts; "
                             "print(fonts.font_path('bold'), fonts.font_path('rare'))"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.split() == [str(tmp_path / "fonts" / fonts.FACES[weight][1])
                                     for weight in ("bold", "rare")], result.stderr


def test_a_resource_declared_in_two_infra_templates_is_refused(tmp_path, monkeypatch):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(json.dumps(
            {"Parameters": {"Stage": {"Type": "String"}} if name == "a.json" else {},
             "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}))
    monkeypatch.setattr(package, "INFRA", tmp_path)
    monkeypatch.setattr(package, "FRAGMENTS", ("a.json", "b.json"))
    with pytest.raises(package.PackageError, match="Resources.Queue is declared in both"):
        package.compose("dev")


def test_refining_a_resource_chalice_no_longer_makes_is_refused():
    made = {"Resources": {"APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {}}}}
    merged = {"Resources": {"APIHandler": {"Type": "AWS::Serverless::Function"},
                            "ApiHandler": {"Properties": {"MemorySize": 512}}}}
    with pytest.raises(package.PackageError, match="'ApiHandler'.*no longer makes"):
        package.verify({"Resources": {**made["Resources"], "ApiHandler": {"Properties": {}}}}, merged)


def test_an_unknown_stage_is_refused():
    with pytest.raises(package.PackageError, match="unknown stage 'local'"):
        package.compose("local")


def test_the_lambda_loads_bytecode_made_at_packaging_not_the_source(package_dir, tmp_path):
    import subprocess
    import sys

    with zipfile.ZipFile(package_dir / "deployment.zip") as code:
        names = set(code.namelist())
        assert "chalicelib/core/__pycache__/money.cpython-311.pyc" in names
        assert "__pycache__/app.cpython-311.pyc" in names
        assert sum(name.endswith(".pyc") for name in names) > 0.9 * sum(
            name.endswith(".py") for name in names)
        code.extractall(tmp_path)
    # Change the source after packaging: the unchecked bytecode is what runs.
    module = tmp_path / "chalicelib" / "core" / "money.py"
    module.write_text(module.read_text() + "\nraise RuntimeError('the source was compiled')\n")
    result = subprocess.run([sys.executable, "-B", "-c",
                             "import chalicelib.core.money as m; print(m.totals([105])['sales'])"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "100", result.stderr


def test_a_wheel_s_stray_docs_and_tests_leave_the_code_and_nothing_else_does(tmp_path):
    """python-barcode's wheel installs top-level docs/ and tests/ folders: its RECORD names
    them, so they go; a docs/ file no RECORD names (our tree, by mistake) stays to be caught."""
    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as code:
        code.writestr("barcode/__init__.py", "")
        code.writestr("docs/conf.py", "project = 'x'")
        code.writestr("tests/test_outputs/.gitignore", "*")
        code.writestr("docs/design.md", "ours")
        code.writestr("python_barcode-0.16.1.dist-info/RECORD",
                      "barcode/__init__.py,sha256=a,0\ndocs/conf.py,sha256=b,1\n"
                      "docs/__pycache__/conf.cpython-311.pyc,,\n"
                      "tests/test_outputs/.gitignore,sha256=c,1\n")
    assert package.drop_stray_wheel_folders(path) == ["docs/conf.py",
                                                      "tests/test_outputs/.gitignore"]
    assert sorted(zipfile.ZipFile(path).namelist()) == [
        "barcode/__init__.py", "docs/design.md", "python_barcode-0.16.1.dist-info/RECORD"]
