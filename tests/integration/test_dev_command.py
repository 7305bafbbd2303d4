"""The developer's commands: `make dev` starts everything, keeps its terminal quiet (the logs in
files, the banner again on Enter or from `python -m devstack info`), stops it on Ctrl-C and finds
its data again; the browser tests write docs/screenshots only for `make screenshots`."""
import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3

from devstack import ROOT
from devstack.engines import free_port
from devstack.settings import LOCAL_CREDENTIALS


def start_dev(env):
    """`make dev` in a terminal of our own: what it prints (stdout and stderr, in order) is read
    by `Console`, and what is written to its stdin is typed."""
    return subprocess.Popen([sys.executable, "-m", "devstack", "dev"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, preexec_fn=_ignoring_ctrl_c)


def _ignoring_ctrl_c():
    """Started as a script's background job is (`make dev &`): SIGINT ignored, and inherited
    so. Ctrl-C still stops it (devstack/__main__.py)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Console:
    """The lines a process prints, read on a thread as they come."""

    def __init__(self, process):
        self.process, self.lines = process, queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def until(self, text, timeout=180):
        """The lines up to the first that holds `text`, joined."""
        lines, deadline = [], time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            lines.append(line)
            if text in line:
                return "".join(lines)
        raise AssertionError(f"no line with {text!r}:\n" + "".join(lines))

    def so_far(self):
        lines = []
        while not self.lines.empty():
            lines.append(self.lines.get())
        return [line for line in lines if line is not None]


@contextlib.contextmanager
def stopped_in_the_end(process):
    """Ctrl-C for `make dev` when the block ends, even after a failed check: killed, it would
    leave its engines running."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def read_banner(process, timeout=180):
    """The lines printed up to the ready banner (its last line says how to stop)."""
    return Console(process).until("Ctrl-C", timeout)


def stream_handled(dynamodb, data_dir, pk, timeout=60):
    """Until the poller has handed the stream record of the item `pk` (the last one written) to
    the handler: by then the handler has run, and logged, for every write before it too."""
    streams = boto3.client("dynamodbstreams", endpoint_url=dynamodb.meta.endpoint_url,
                           region_name="ap-northeast-1",
                           aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    arn = dynamodb.describe_table(TableName="servicelane-local")["Table"]["LatestStreamArn"]
    deadline, wanted = time.monotonic() + timeout, None
    iterators = {shard["ShardId"]: streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]}
    while wanted is None and time.monotonic() < deadline:
        for shard, iterator in list(iterators.items()):
            if not iterator:
                continue
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            iterators[shard] = page.get("NextShardIterator")
            wanted = next(((shard, int(record["dynamodb"]["SequenceNumber"]))
                           for record in page["Records"]
                           if record["dynamodb"]["Keys"]["pk"]["S"] == pk), wanted)
    assert wanted, f"no stream record of {pk}"
    shard, sequence = wanted
    checkpoints = data_dir / "stream-checkpoints.json"
    while time.monotonic() < deadline:
        seen = json.loads(checkpoints.read_text()).get(arn, {}) if checkpoints.exists() else {}
        if int(seen.get(shard, {}).get("seq", 0)) >= sequence:
            return
        time.sleep(0.1)
    raise AssertionError(f"the poller did not hand over {pk}'s record within {timeout} s")


def browse(origin, password, phone):
    """What a tablet does in a minute: sign in, the board again and again, a customer search."""
    answers = []

    def call(path, body=None, token=None):
        request = urllib.request.Request(
            origin + path, data=json.dumps(body).encode() if body else None,
            headers={"content-type": "application/json",
                     **({"authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request) as response:
            answers.append(response.status)
            return json.loads(response.read()) if path.startswith("/api/") else None

    token = call("/api/auth/sign-in", {"login": "owner@demo.servicelane.tw",
                                       "password": password})["access_token"]
    for _ in range(20):
        call("/api/board", token=token)
    call(f"/api/customers?phone={phone}", token=token)
    call("/")
    call("/api/health")
    return answers


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
    # What `make test` set for its own engines and its quieter logs: `make dev` sets its own.
    for name in ("SL_DDB_ENDPOINT", "SL_S3_ENDPOINT", "SL_TABLE", "SL_BUCKET",
                 "POWERTOOLS_LOG_LEVEL"):
        env.pop(name, None)
    origin = f"http://127.0.0.1:{ports['SL_PORT']}"

    dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{ports['SL_DDB_PORT']}",
                            region_name="ap-northeast-1",
                            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    first = start_dev(env)
    with stopped_in_the_end(first):
        console = Console(first)
        banner = console.until("Ctrl-C")
        assert origin in banner and "owner@demo.servicelane.tw" in banner
        assert f"{origin}/dev/outbox" in banner and "make daily" in banner
        with urllib.request.urlopen(origin + "/api/health") as response:
            assert response.status == 200
        with urllib.request.urlopen(origin + "/") as response:
            assert b"<title>ServiceLane" in response.read()
        (booking_line,) = [line for line in banner.splitlines() if "Booking page" in line]
        with urllib.request.urlopen(booking_line.split()[3]) as response:  # the customer's page
            assert "線上預約" in response.read().decode("utf-8")
        # A minute of use (and the seed's hundreds of stream records) print nothing: the banner
        # stays in view. The app's, the poller's and the HTTP server's lines are in .local/logs/.
        (password_line,) = [line for line in banner.splitlines() if "Password" in line]
        password = password_line.split()[-1]
        assert set(browse(origin, password, "0912345678")) == {200}
        dynamodb.put_item(TableName="servicelane-local",
                          Item={"pk": {"S": "MARK"}, "sk": {"S": "MARK"}})
        stream_handled(dynamodb, data_dir, "MARK")
        printed = console.so_far()
        chatter = [line for line in printed if not line.startswith("  ! ")]
        assert len(chatter) <= 2, chatter[:20]
        # An error still shows, as one line that says where its details are.
        assert all(line.endswith(f"(see {data_dir / 'logs' / 'app.log'})\n")
                   for line in printed if line not in chatter), printed[:5]
        logs = data_dir / "logs"
        app_log, http_log = (logs / "app.log").read_text(), (logs / "http.log").read_text()
        assert '"message":"change"' in app_log and '"kind":"REFRESH"' in app_log
        assert http_log.count("GET /api/board") == 20
        assert "0912345678" not in http_log  # no phone number (nor link token) in a log
        # Enter shows the banner again; another terminal asks for it with `make dev-info`.
        first.stdin.write("\n")
        first.stdin.flush()
        again = console.until("Ctrl-C", timeout=10)
        assert origin in again and password_line in again
        info = subprocess.run([sys.executable, "-m", "devstack", "info"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=30)
        assert info.returncode == 0, info.stderr
        assert origin in info.stdout and password_line in info.stdout
        assert "is running" in info.stdout

        first.send_signal(signal.SIGINT)
        assert first.wait(timeout=30) == 0
    assert not any(port_open(port) for port in ports.values())
    assert processes_mentioning(str(data_dir)) == []

    stopped = subprocess.run([sys.executable, "-m", "devstack", "info"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=30)
    assert stopped.returncode == 0 and password_line in stopped.stdout
    assert "not running" in stopped.stdout

    second = start_dev(env)
    with stopped_in_the_end(second):
        second_banner = read_banner(second)
        assert password_line in second_banner  # the same demo login
        item = dynamodb.get_item(TableName="servicelane-local",
                                 Key={"pk": {"S": "MARK"}, "sk": {"S": "MARK"}})
        assert "Item" in item
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


def test_the_browser_tests_write_screenshots_into_docs_only_when_asked(tmp_path):
    """`make test` leaves docs/screenshots/ as committed; `make screenshots` names the folder
    in SL_SCREENSHOTS."""
    probe = ("import { screenshot } from './browser.mjs';\n"
             "await screenshot({ evaluate: async () => {},\n"
             "                   screenshot: async ({ path }) => console.log(path) }, 'probe');")

    def written_to(**env):
        environment = {key: value for key, value in os.environ.items()
                       if key != "SL_SCREENSHOTS"}
        result = subprocess.run(["node", "--input-type=module", "-e", probe],
                                cwd=ROOT / "tests" / "e2e", env={**environment, **env},
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return Path(result.stdout.strip())

    by_default = written_to()
    assert by_default.name == "probe.png"
    assert not by_default.is_relative_to(ROOT), by_default
    assert written_to(SL_SCREENSHOTS=str(tmp_path)) == tmp_path / "probe.png"
