"""Where `make dev` writes what the product logs: files in `.local/logs/`, not the terminal.

The terminal keeps the banner (the URL and the logins) in view. The Lambdas' and the stream
poller's lines (the JSON CloudWatch would hold) go to `app.log`, one line per HTTP request to
`http.log`, beside the engines' own logs; an error still shows in the terminal, as one line
that says where its details are.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TextIO

APP_LOG = "app.log"
HTTP_LOG = "http.log"
# Chalice's `app.log` and Powertools' Logger(service=...) are the same logger, named after the
# app; neither passes its lines up to the root logger.
APP_LOGGER = "servicelane"


class _OneLine(logging.Formatter):
    """An error for the terminal: the message only (no traceback), and where to read more."""

    def __init__(self, where: Path):
        super().__init__()
        self.where = where

    def format(self, record: logging.LogRecord) -> str:
        return f"  ! {record.getMessage()} (see {self.where})"


class LogFiles:
    """The open log files, and the handlers moved onto them (given back by `close`)."""

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        # Line-buffered: `tail -f` shows a request as it is answered.
        self.app: TextIO = open(directory / APP_LOG, "a", encoding="utf-8", buffering=1)
        self.http: TextIO = open(directory / HTTP_LOG, "a", encoding="utf-8", buffering=1)
        self._moved: list[tuple[logging.StreamHandler, TextIO]] = []
        self._added: list[tuple[logging.Logger, logging.Handler]] = []
        self._removed: list[tuple[logging.Logger, logging.Handler]] = []

    def capture(self) -> "LogFiles":
        """Move the app's JSON log lines to app.log (call once the app is loaded), send
        anything else logged (warnings too) there, and errors to the terminal."""
        from chalicelib.core.observability import logger

        app, root = logging.getLogger(APP_LOGGER), logging.getLogger()
        powertools = logger().registered_handler  # made on first use: made now, to be moved
        self._moved.append((powertools, powertools.setStream(self.app)))
        for handler in list(app.handlers):
            if handler is not powertools:  # Chalice's plain copy of each JSON line
                app.removeHandler(handler)
                self._removed.append((app, handler))
        to_file = logging.StreamHandler(self.app)
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        terminal = logging.StreamHandler()  # stderr
        terminal.setLevel(logging.ERROR)
        terminal.setFormatter(_OneLine(self.directory / APP_LOG))
        for into, handler in ((root, to_file), (root, terminal), (app, terminal)):
            into.addHandler(handler)
            self._added.append((into, handler))
        logging.captureWarnings(True)
        return self

    def close(self) -> None:
        logging.captureWarnings(False)
        for into, handler in self._added:
            into.removeHandler(handler)
            handler.flush()  # under the handler's lock: a line being written is finished first
        for into, handler in self._removed:
            into.addHandler(handler)
        for handler, stream in self._moved:
            handler.setStream(stream)
        self._added.clear()
        self._removed.clear()
        self._moved.clear()
        self.app.close()
        self.http.close()
