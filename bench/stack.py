"""Real processes for the fault and load benchmarks (and the fuzz test's private broker).

- `RedisServer`: a private `redis-server` on a free port (never the machine's Redis at 6379), restartable
  on the same port;
- `PostgresDatabase`: a fresh database of its own on a PostgreSQL server, dropped afterwards;
- `ManagedProcess` and its helpers: gunicorn, a Celery worker, Celery beat, each in a process group of its
  own so that `kill()` is a real `kill -9` of the whole worker (main process and pool children).

Every process started here is stopped by the object that started it; nothing is found or killed by name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from ecommerce_backend.devservers import free_port, stop_process

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `predicate` until it is true; RuntimeError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f}s")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class RedisServer:
    """A private redis-server on a free port with its data in a temporary folder.

    `persistent=False` (default) keeps nothing across a restart: queued messages, countdowns and the
    debounce mark are lost, the harshest case for the outbox. `restart()` keeps the port, so every client
    reconnects to the same URL.
    """

    def __init__(self, persistent: bool = False, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
        self.binary = binary
        self.port = port or free_port()
        self.persistent = persistent
        self.dir = Path(tempfile.mkdtemp(prefix="redis-bench-"))
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec"] if self.persistent else ["--appendonly", "no"]
        )
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence]
        command += ["--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ping, 15, f"redis-server on port {self.port} answering")
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresDatabase:
    """A fresh database on the PostgreSQL server of `server_url` (DATABASE_URL when it names one)."""

    def __init__(self, name: str, server_url: str | None = None) -> None:
        base = server_url or os.environ.get("DATABASE_URL", "")
        if not base.startswith(("postgres://", "postgresql://")):
            base = "postgres://postgres@127.0.0.1:5432/postgres"
        parsed = urlparse(base)
        self.name = name
        self.url = parsed._replace(path=f"/{name}").geturl()
        self._admin = parsed._replace(path="/postgres").geturl()

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._admin, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> PostgresDatabase:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        except Exception as exc:  # the run is over; say so rather than hide a leftover database
            print(f"could not drop database {self.name}: {exc}", file=sys.stderr)


class ManagedProcess:
    """A child process in a session (process group) of its own, with its output in a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.log_offset = 0

    def start(self) -> ManagedProcess:
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_since_start(self) -> str:
        """What this run of the process has logged (the file keeps the runs before a restart too)."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as handle:
            handle.seek(self.log_offset)
            return handle.read().decode(errors="replace")

    def kill(self) -> None:
        """kill -9 of the whole process group (a worker's pool children die with it, as in an OOM kill)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (graceful), then kill -9 of the group after `timeout`."""
        if not self.alive():
            self.process = None
            return
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Children that outlived a graceful stop (a pool process) go with the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


def gunicorn(env: dict[str, str], log_dir: Path, port: int, workers: int = 2, threads: int = 1) -> ManagedProcess:
    """gunicorn serving the shop on 127.0.0.1:`port` (started; wait with `wait_http`)."""
    command = [PYTHON, "-m", "gunicorn", "ecommerce_backend.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "120", "--graceful-timeout", "5"]
    if threads > 1:
        command += ["--threads", str(threads)]
    return ManagedProcess(f"gunicorn-{port}", command, env, log_dir).start()


def celery_worker(env: dict[str, str], log_dir: Path, name: str, concurrency: int = 1) -> ManagedProcess:
    """`celery -A ecommerce_backend worker -Q celery,ai_heavy,ai_light` (started; not yet ready)."""
    command = [PYTHON, "-m", "celery", "-A", "ecommerce_backend", "worker", "-l", "info"]
    command += ["-Q", "celery,ai_heavy,ai_light", "-n", f"{name}@%h", "--concurrency", str(concurrency)]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return ManagedProcess(name, command, env, log_dir).start()


def celery_beat(env: dict[str, str], log_dir: Path) -> ManagedProcess:
    """`celery -A ecommerce_backend beat` with the production scheduler (the schedule comes from settings)."""
    command = [PYTHON, "-m", "celery", "-A", "ecommerce_backend", "beat", "-l", "info"]
    command += ["--pidfile", str(log_dir / "beat.pid"), "-s", str(log_dir / "beat-schedule")]
    return ManagedProcess("beat", command, env, log_dir).start()


def wait_http(url: str, timeout: float = 60.0, process: ManagedProcess | None = None) -> None:
    """Wait until `url` answers at all (any status), or fail early when `process` died."""

    def answers() -> bool:
        if process is not None and not process.alive():
            raise RuntimeError(f"{process.name} exited; see {process.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    wait_until(answers, timeout, f"{url} answering", interval=0.2)


def worker_ready(worker: ManagedProcess) -> bool:
    """The worker logged that it is ready to consume (cheaper than a broadcast ping on a busy machine)."""
    if not worker.alive():
        raise RuntimeError(f"{worker.name} exited; see {worker.log_path}")
    return " ready." in worker.log_since_start()


class Stack:
    """The private world of one benchmark run: a PostgreSQL database, a redis-server and a Chroma server of
    its own, the environment every process of the run shares, and the processes started in it.

        stack = Stack.create("chaos", {"EMBEDDING_PROVIDER": "hashing"})   # then Django is set up here too
        stack.start(gunicorn(stack.env, stack.run_dir, port))
        ...
        stack.stop()   # every process, the servers, the database; the run folder unless keep=True
    """

    def __init__(self, name: str) -> None:
        from ecommerce_backend.devservers import ChromaServer

        self.name = f"{name}-{os.getpid()}"
        self.run_dir = Path(os.environ.get("MARCUS_VAR_DIR", ROOT / "var")) / "bench" / self.name
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        self.database: PostgresDatabase | None = None
        self.redis: RedisServer | None = None
        self.chroma: ChromaServer | None = None
        self.env: dict[str, str] = {}
        self.processes: list[ManagedProcess] = []

    @classmethod
    def create(cls, name: str, env: dict[str, str], *, redis_persistent: bool = False) -> Stack:
        """Start the servers, export the environment (this process's too), django.setup() and migrate."""
        import secrets

        from ecommerce_backend.devservers import ChromaServer

        stack = cls(name)
        try:
            stack.database = PostgresDatabase(f"marcus_{stack.name.replace('-', '_')}").create()
            stack.redis = RedisServer(persistent=redis_persistent).start()
            stack.chroma = ChromaServer(path=stack.run_dir / "chroma").start()
            os.environ.update(
                {
                    "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings",
                    "DATABASE_URL": stack.database.url,
                    "REDIS_URL": stack.redis.url(0),
                    "CHROMA_URL": stack.chroma.url,
                    "CHROMA_COLLECTION_PREFIX": name,
                    "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
                    "DJANGO_DEBUG": "0",
                    "LOG_LEVEL": "INFO",
                    "PYTHONUNBUFFERED": "1",
                    **env,
                }
            )
            os.environ.pop("DJANGO_TEST_DB_NAME", None)
            stack.env = dict(os.environ)
            os.environ["LOG_LEVEL"] = "WARNING"  # this process: tables on stdout, progress on stderr
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        except BaseException:
            stack.stop(keep=True)
            raise
        return stack

    def start(self, process: ManagedProcess) -> ManagedProcess:
        self.processes.append(process)
        return process

    def stop(self, keep: bool = False) -> None:
        """Stop everything this run started and drop its database; remove the run folder unless `keep`."""
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        for process in self.processes:
            process.stop(timeout=10)
        if self.chroma is not None:
            self.chroma.stop()
        if self.redis is not None:
            self.redis.cleanup()
        if self.database is not None:
            self.database.drop()
        if keep:
            print(f"logs kept in {self.run_dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)


class KeepAliveClient:
    """One HTTP/1.1 keep-alive connection (use one per thread); reconnects once after a dropped connection."""

    def __init__(
        self, port: int, headers: dict[str, str] | None = None, timeout: float = 60.0, host: str = "127.0.0.1"
    ) -> None:
        self.host = host
        self.port = port
        self.headers = headers or {}
        self.timeout = timeout
        self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        import http.client

        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
