"""A real OpenSSH server on 127.0.0.1 and a service account, made and removed by a test.

PITFALLS.md has the measured facts this follows: sshd wants an absolute path, its own
host key, /run/sshd, and an account that is not locked (`usermod -p '*'`) with a real
shell (the forced command runs as `$SHELL -c`).
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SSHD = "/usr/sbin/sshd"
WAIT_S = 20.0


def unavailable(reason: str) -> None:
    """Skip with the reason; under CI a missing part is a failure, not a skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (scripts/test installs openssh-server; CI runs as root)")
    pytest.skip(reason)


def check_can_run() -> None:
    """Skip (fail under CI) unless this process can run sshd and make accounts."""
    if os.geteuid() != 0:
        unavailable("the SSH gate tests make an account and run sshd: they need root")
    for program in (SSHD, "/usr/sbin/useradd", "/usr/sbin/userdel", "/usr/sbin/runuser"):
        if not os.access(program, os.X_OK):
            unavailable(f"{program} is missing")
    for program in ("ssh", "ssh-keygen", "scp", "sftp"):
        if shutil.which(program) is None:
            unavailable(f"the OpenSSH client program {program} is missing")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServiceAccount:
    """The account that owns the data and runs oncall; staff reach it only through keys."""

    name: str
    home: Path
    oncall: Path = field(default=Path("/nonexistent"))
    """The oncall program this account can run (written into forced commands)."""

    @classmethod
    def create(cls) -> ServiceAccount:
        """useradd with a home and bash; '*' so sshd does not call the account locked."""
        name = "oncallt" + secrets.token_hex(3)
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", name], check=True, timeout=30)
        subprocess.run(["usermod", "-p", "*", name], check=True, timeout=30)
        return cls(name, Path(pwd.getpwnam(name).pw_dir))

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a program as this account, with its own HOME and a plain PATH."""
        env = {"HOME": str(self.home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        return subprocess.run(
            [
                "runuser",
                "-u",
                self.name,
                "--",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in env.items()),
                *args,
            ],
            input=stdin,
            capture_output=True,
            text=True,
            check=check,
            timeout=60,
        )

    def install_oncall(self) -> None:
        """Give the account an oncall it can run: the project's, or a bridge to it.

        The project's virtualenv may sit under a folder only root may enter (a pyenv
        Python in /root); then a virtualenv of the system's Python of the same version,
        in the account's home, loads the project's packages through a .pth file.
        """
        mine = Path(sys.executable).parent / "oncall"
        if self.run(str(mine), "--help", check=False).returncode == 0:
            self.oncall = mine
            return
        system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
        if not os.access(system, os.X_OK):
            unavailable(f"{mine} is not reachable by {self.name} and there is no {system}")
        runtime = self.home / "runtime"
        self.run(str(system), "-m", "venv", "--without-pip", str(runtime))
        site = sysconfig.get_paths()["purelib"]
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        bridge = runtime / "lib" / version / "site-packages" / "oncall-bridge.pth"
        self.run("tee", str(bridge), stdin=f"import site; site.addsitedir({site!r})\n")
        script = runtime / "bin" / "oncall"
        body = (
            f"#!{runtime}/bin/python\nimport sys\nfrom oncall.cli import main\nsys.exit(main())\n"
        )
        self.run("tee", str(script), stdin=body)
        self.run("chmod", "0755", str(script))
        if self.run(str(script), "--help", check=False).returncode != 0:
            # The packages themselves are out of this account's reach: give it a copy.
            import oncall

            target = bridge.parent
            shutil.copytree(
                site,
                target,
                dirs_exist_ok=True,
                symlinks=True,
                ignore=shutil.ignore_patterns("__editable__*", "oncall-bridge.pth"),
            )
            shutil.copytree(
                Path(oncall.__file__).parent, target / "oncall", symlinks=False, dirs_exist_ok=True
            )
            bridge.unlink()
            subprocess.run(["chown", "-R", f"{self.name}:", str(runtime)], check=True, timeout=60)
        if self.run(str(script), "--help", check=False).returncode != 0:
            unavailable(f"{self.name} cannot run oncall, even through {script}")
        self.oncall = script

    def remove(self) -> None:
        """userdel -r (forced if a process of the account is still ending)."""
        done = subprocess.run(["userdel", "-r", self.name], capture_output=True, timeout=30)
        if done.returncode not in (0, 12):  # 12: home removed with a warning
            subprocess.run(["userdel", "-r", "-f", self.name], capture_output=True, timeout=30)


@dataclass
class Sshd:
    """sshd -D on 127.0.0.1:port with its own host key and config."""

    folder: Path
    user: str
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Write the config, start sshd, and wait until it accepts connections."""
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        host_key = self.folder / "host_ed25519"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)],
            check=True,
            timeout=30,
        )
        self.port = free_port()
        config = self.folder / "sshd_config"
        config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
            f"PidFile {self.folder / 'sshd.pid'}\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            f"AllowUsers {self.user}\nStrictModes yes\nSubsystem sftp internal-sftp\n"
            "LogLevel VERBOSE\n"
        )
        log = (self.folder / "sshd.log").open("wb")
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log
        )
        deadline = time.monotonic() + WAIT_S
        while True:
            if self.process.poll() is not None:
                unavailable(f"sshd exited at start: {self.log()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    if conn.recv(8).startswith(b"SSH-"):
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"sshd never listened: {self.log()[-500:]}"
            time.sleep(0.05)

    def log(self) -> str:
        """What sshd wrote (no client data: it logs keys and refusals)."""
        return (self.folder / "sshd.log").read_text(errors="replace")

    def stop(self) -> None:
        """End the sshd this test started, by its process id."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def ssh(
        self, key: Path, *command: str, stdin: str | None = None, options: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[str]:
        """`ssh -i KEY user@127.0.0.1 COMMAND…` with no host-key prompts."""
        return subprocess.run(
            ["ssh", *self.client_options(key), *options, f"{self.user}@127.0.0.1", *command],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=60,
        )

    def client_options(self, key: Path, port_flag: str = "-p") -> list[str]:
        """The options every client here uses (ssh: -p, scp and sftp: -P)."""
        return [
            "-i", str(key), port_flag, str(self.port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
        ]  # fmt: skip
