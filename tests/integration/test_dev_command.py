"""`make dev`'s own command: starts everything, stops it on Ctrl-C, finds its data again."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3

from devstack import ROOT
from devstack.engines import free_port
from devstack.settings import LOCAL_CREDENTIALS


def start_dev(env):
    return subprocess.Popen([sys.executable, "-m", "devstack", "dev"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def read_banner(process, timeout=90):
    """The lines printed up to the ready banner (its last line says how to stop)."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            return "".join(lines)
    process.kill()
    raise AssertionError("no ready banner:\n" + "".join(lines))


def port_open(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def processes_mentioning(text):
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


def test_dev_starts_all_stops_all_on_ctrl_c_and_finds_its_data_again(tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>ServiceLane</title>")
    ports = {"SL_PORT": free_port(), "SL_DDB_PORT": free_port(), "SL_S3_PORT": free_port()}
    data_dir = tmp_path / "data"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "SL_DATA_DIR": str(data_dir), "SL_PWA_DIST": str(dist)}
    for name in ("SL_DDB_ENDPOINT", "SL_S3_ENDPOINT", "SL_TABLE", "SL_BUCKET"):
        env.pop(name, None)  # what `make test` set for its own engines
    origin = f"http://127.0.0.1:{ports['SL_PORT']}"

    first = start_dev(env)
    banner = read_banner(first)
    assert origin in banner and "owner@demo.servicelane.tw" in banner
    with urllib.request.urlopen(origin + "/api/health") as response:
        assert response.status == 200
    with urllib.request.urlopen(origin + "/") as response:
        assert b"<title>ServiceLane" in response.read()
    dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{ports['SL_DDB_PORT']}",
                            region_name="ap-northeast-1",
                            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    dynamodb.put_item(TableName="servicelane-local",
                      Item={"pk": {"S": "MARK"}, "sk": {"S": "MARK"}})

    first.send_signal(signal.SIGINT)
    assert first.wait(timeout=30) == 0
    assert not any(port_open(port) for port in ports.values())
    assert processes_mentioning(str(data_dir)) == []

    second = start_dev(env)
    try:
        second_banner = read_banner(second)
        password = [line for line in banner.splitlines() if "Password" in line]
        assert password and password[0] in second_banner  # the same demo login
        item = dynamodb.get_item(TableName="servicelane-local",
                                 Key={"pk": {"S": "MARK"}, "sk": {"S": "MARK"}})
        assert "Item" in item
    finally:
        second.send_signal(signal.SIGINT)
        assert second.wait(timeout=30) == 0


def test_a_port_already_taken_gives_a_clear_message_not_a_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "SL_PORT": str(port), "SL_DATA_DIR": str(tmp_path)}
        result = subprocess.run([sys.executable, "-m", "devstack", "dev"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"Port {port} (PWA and API) is already in use" in result.stderr
    assert "SL_PORT=" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
