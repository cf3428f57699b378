"""`recoup serve --workers 2` answers from two web processes on one port: the way a
team on a large book uses both cores (bench/web_load.py measures it)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from recoup.services.book import Book

RECOUP = str(Path(sys.executable).with_name("recoup"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_web_processes_answer_on_one_port(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    Book.create(str(db)).close()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECOUP_")}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [RECOUP, "--db", str(db), "serve", "--port", str(port), "--workers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            answered = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(answered) < 20:
                try:
                    answered.append(httpx.get(f"http://127.0.0.1:{port}/login", timeout=5))
                except httpx.HTTPError:
                    time.sleep(0.2)
            assert [a.status_code for a in answered] == [200] * 20
            started: set[str] = set()
            while time.monotonic() < deadline and len(started) < 2:
                started = set(re.findall(r"Started server process \[(\d+)\]", log.read_text()))
                time.sleep(0.2)
            assert len(started) == 2, log.read_text()
        finally:
            server.terminate()
            server.wait(30)
