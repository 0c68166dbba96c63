"""Drive ``alpr setup`` as a script would: answer the password, then a one-time code made
from the authenticator secret the command printed (RFC 6238), then any further lines.

Standard library only, so that ``scripts/package-test`` can run it with the system's
``python3`` against the installed package::

    python3 tests/setup_driver.py PASSWORD [--then LINE ...] -- /usr/bin/alpr --data-dir D setup ...

Prints the command's output as it comes; exits with the command's status.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import subprocess
import sys
import time


def totp(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 15
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def drive(command: list[str], password: str, then: list[str] = (), env: dict | None = None,
          cwd: str | None = None) -> tuple[int, str, str]:
    """Run ``command``; returns (status, standard output, the secret it printed or "")."""
    p = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                         env=env, cwd=cwd)
    assert p.stdin is not None and p.stdout is not None
    p.stdin.write(password + "\n")
    p.stdin.flush()
    secret, out, rest = "", [], list(then)
    for line in p.stdout:
        out.append(line)
        print(line, end="", flush=True)
        said = line.strip()
        if said.startswith("secret "):
            secret = said.split(None, 1)[1].replace(" ", "")
        elif said == "One-time code:" and secret:
            p.stdin.write(totp(secret, time.time()) + "\n")
            p.stdin.flush()
            if rest:                                # what the command reads after the code
                p.stdin.write("\n".join(rest) + "\n")
                p.stdin.flush()
                rest = []
    p.stdin.close()
    return p.wait(), "".join(out), secret


def main(argv: list[str]) -> int:
    sep = argv.index("--")
    password, opts, command = argv[0], argv[1:sep], argv[sep + 1:]
    then = [opts[i + 1] for i, o in enumerate(opts) if o == "--then"]
    return drive(command, password, then)[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
