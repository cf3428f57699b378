"""`recoup serve --workers 2` answers from two web processes on one port: the way a
team on a large book uses both cores (bench/web_load.py measures it). An import's
upload, kept between its steps, is found whichever process answers the next step."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from recoup.services import users
from recoup.services.book import Book
from recoup.services.users import Role

RECOUP = str(Path(sys.executable).with_name("recoup"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_two_web_processes_answer_on_one_port(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    book = Book.create(str(db))
    users.add_user(book, "owner", "a-long-password-1", Role.OWNER)
    book.close()
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
            _an_upload_is_seen_by_every_process(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(30)


TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _an_upload_is_seen_by_every_process(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/login").text
        token = TOKEN.search(page)
        assert token is not None
        done = client.post(
            "/login",
            data={"username": "owner", "password": "a-long-password-1", "csrf_token": token[1]},
        )
        assert done.status_code == 303, done.text
        page = client.get("/import").text
        token = TOKEN.search(page)
        assert token is not None
        sent = client.post(
            "/import/upload",
            data={"kind": "customers", "csrf_token": token[1]},
            files={"file": ("clients-list.csv", b"customer,name\nC1,Acme\n", "text/csv")},
            follow_redirects=True,
        )
        assert sent.status_code == 200, sent.text
        # a keep-alive connection stays with one process: each step on a new one
        for _ in range(12):
            with httpx.Client(base_url=base, timeout=10, cookies=client.cookies) as step:
                assert "clients-list.csv" in step.get("/import").text
