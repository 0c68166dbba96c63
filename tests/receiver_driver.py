"""Start ``alpr server receive`` as an administrator would, against an embedded city server,
and check that it answers: ``GET /healthz``, then an OpenALPR agent's ``heartbeat`` webhook for
one of the server's cameras, with the token ``alpr server receive --new-token`` made; then stop
it with SIGTERM, as systemd does.

Standard library only, so that ``scripts/package-test`` can run it with the system's
``python3`` against the installed package (the bundle must carry what uvicorn imports by name)::

    python3 tests/receiver_driver.py SERVER_FOLDER OPERATOR PASSWORD CAMERA -- /usr/bin/alpr

Prints ``RECEIVER-ANSWERED`` when all went well; exits non-zero otherwise.
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _token(alpr: list[str]) -> tuple[str, str]:
    out = subprocess.run([*alpr, "server", "receive", "--new-token"], capture_output=True, text=True,
                         check=True).stdout
    token = out.split("shown once):", 1)[1].split()[0]
    sha = out.split('token_sha256 = "', 1)[1].split('"', 1)[0]
    return token, sha


def main(folder: str, operator: str, password: str, camera: str, alpr: list[str]) -> int:
    token, sha = _token(alpr)
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "receiver.toml"
        cfg.write_text(f'server = "embedded:{folder}"\noperator = "{operator}"\nhost = "127.0.0.1"\n'
                       f'port = {port}\n\n[[sources]]\nname = "package-agent"\nkind = "openalpr"\n'
                       f'token_sha256 = "{sha}"\ncameras = {{ "PKG/1" = "{camera}" }}\n', encoding="utf-8")
        p = subprocess.Popen([*alpr, "server", "receive", "--config", str(cfg), "--password-stdin"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert p.stdin is not None and p.stdout is not None
        p.stdin.write(password + "\n")
        p.stdin.close()
        try:
            line = p.stdout.readline()
            print(line, end="", flush=True)
            if not line.startswith("Receiver listening"):
                print(p.stdout.read(), end="")
                return 1
            health = _get(f"http://127.0.0.1:{port}/healthz")
            beat = {"data_type": "heartbeat", "version": 2, "agent_uid": "PKG", "agent_type": "alprd",
                    "timestamp": int(time.time() * 1000),
                    "video_streams": [{"camera_id": 1, "camera_name": "package test", "is_streaming": True}]}
            req = urllib.request.Request(f"http://127.0.0.1:{port}/sources/package-agent",
                                         data=json.dumps(beat).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=30) as r:
                answer = json.loads(r.read())
            print(f"healthz: {health}; heartbeat: {answer}", flush=True)
            ok = health == {"ok": True} and answer["results"] == [
                {"id": camera, "status": "heartbeat", "read_id": None}]
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
            print(p.stdout.read(), end="")
        if ok and p.returncode == 0:
            print("RECEIVER-ANSWERED", flush=True)
            return 0
        print(f"receiver exited with {p.returncode}", flush=True)
        return 1


def _get(url: str) -> object:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return json.loads(r.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    split = sys.argv.index("--")
    sys.exit(main(*sys.argv[1:split], alpr=sys.argv[split + 1:]))
