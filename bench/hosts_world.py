"""The shop of bench.hosts: host A's services on the bridge and the processes of the web and worker hosts.

Host A (the root namespace, the bridge address) runs what every host shares, each started here and bound to
the bridge address only:
- a redis-server of the run (broker, results, cache) on :6379;
- a Chroma server of the run on :8000;
- PostgreSQL: the machine's server listens on 127.0.0.1 only, so a TCP forwarder (bench/hosts_forward.py) on
  :5432 carries the hosts' connections to it; the run's database is a fresh one, dropped afterwards.
Hosts b and c run gunicorn on :8000, d and e a Celery worker each (beat on e). Every host process gets
MULTI_HOST=1, the services at the bridge address and one DJANGO_SECRET_KEY: the host checks
(ecommerce_backend/checks.py) must find nothing, and `host_checks()` proves it on a web host.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.hosts_net import Network
from bench.stack import PYTHON, ROOT, ManagedProcess, PostgresDatabase, port_open, wait_http, wait_until, worker_ready
from ecommerce_backend.devservers import chroma_binary

REDIS_PORT, CHROMA_PORT, POSTGRES_PORT, WEB_PORT = 6379, 8000, 5432, 8000
WEB_HOSTS, WORKER_HOSTS = ("b", "c"), ("d", "e")
BEAT_HOST = "e"
LOCAL_POSTGRES = ("127.0.0.1", 5432)


def log(message: str) -> None:
    import time

    print(f"[hosts {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class World:
    """Network, host A's services, the database and every host process of one run."""

    net: Network
    run_dir: Path
    database: PostgresDatabase
    env: dict[str, str] = field(default_factory=dict)
    services: list[ManagedProcess] = field(default_factory=list)
    web: dict[str, ManagedProcess] = field(default_factory=dict)
    workers: dict[str, ManagedProcess] = field(default_factory=dict)
    beat: ManagedProcess | None = None

    def web_url(self, host: str) -> str:
        return f"http://{self.net.address(host)}:{WEB_PORT}"

    def processes(self) -> list[ManagedProcess]:
        return [*self.web.values(), *self.workers.values(), *([self.beat] if self.beat else []), *self.services]


def start_services(net: Network, run_dir: Path, database: PostgresDatabase, extra_env: dict[str, str]) -> World:
    """Host A's redis-server, Chroma server and PostgreSQL forwarder; the environment of every host process."""
    world = World(net, run_dir, database)
    gateway = net.gateway
    redis = shutil.which("redis-server")
    if not redis:
        raise RuntimeError("redis-server is not installed")
    base = dict(os.environ, PYTHONUNBUFFERED="1")
    redis_cmd = [redis, "--bind", gateway, "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"]
    redis_cmd += ["--dir", str(run_dir), "--protected-mode", "no"]
    chroma_cmd = [chroma_binary(), "run", "--path", str(run_dir / "chroma"), "--host", gateway]
    chroma_cmd += ["--port", str(CHROMA_PORT)]
    forward = [PYTHON, "-m", "bench.hosts_forward", f"{gateway}:{POSTGRES_PORT}", "{}:{}".format(*LOCAL_POSTGRES)]
    for name, command in (("a-redis", redis_cmd), ("a-chroma", chroma_cmd), ("a-postgres-forward", forward)):
        world.services.append(ManagedProcess(name, command, base, run_dir).start())
    for port, what in ((REDIS_PORT, "redis"), (CHROMA_PORT, "chroma"), (POSTGRES_PORT, "postgres forwarder")):
        wait_until(lambda p=port: port_open(p, gateway), 60, f"{what} on {gateway}:{port}", interval=0.2)
    database_url = database.url.replace("127.0.0.1:5432", f"{gateway}:{POSTGRES_PORT}")
    if database_url == database.url:
        raise RuntimeError(f"the run's database must be on 127.0.0.1:5432 to be forwarded, not {database.url}")
    addresses = ",".join(net.address(h) for h in WEB_HOSTS)
    world.env = {
        **base,
        "DJANGO_SETTINGS_MODULE": "ecommerce_backend.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://{gateway}:{REDIS_PORT}/0",
        "CELERY_BROKER_URL": "",
        "CHROMA_URL": f"http://{gateway}:{CHROMA_PORT}",
        "CHROMA_COLLECTION_PREFIX": "hosts",
        "MULTI_HOST": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": addresses,
        "LOG_LEVEL": "INFO",
        "AI_INDEX_AUTO_UPDATE": "1",
        "AI_SEARCH_THROTTLE": "100000/min",
        **extra_env,
    }
    world.env.pop("DJANGO_TEST_DB_NAME", None)
    return world


def host_checks(world: World, host: str = "b") -> list[str]:
    """`manage.py check` on `host` with the hosts' environment: the lines naming a marcus.W warning."""
    argv = world.net.command(host, f"host-{host}", [PYTHON, "manage.py", "check"])
    done = subprocess.run(argv, cwd=ROOT, env=world.env, capture_output=True, text=True, timeout=180)
    if done.returncode != 0:
        raise RuntimeError(f"manage.py check failed on host {host}: {done.stderr[-2000:]}")
    return [line for line in (done.stdout + done.stderr).splitlines() if "marcus.W" in line]


def _on_host(world: World, host: str, name: str, argv: list[str]) -> ManagedProcess:
    command = world.net.command(host, f"host-{host}", argv)
    return ManagedProcess(name, command, world.env, world.run_dir)


def web_process(world: World, host: str) -> ManagedProcess:
    argv = [PYTHON, "-m", "gunicorn", "ecommerce_backend.wsgi", "--bind", f"0.0.0.0:{WEB_PORT}", "--workers", "2"]
    argv += ["--threads", "4", "--timeout", "120", "--graceful-timeout", "5"]
    return _on_host(world, host, f"{host}-web", argv)


def worker_process(world: World, host: str, concurrency: int = 1) -> ManagedProcess:
    """A worker on every queue; `-n worker@%h` puts the host's own hostname in its name."""
    argv = [PYTHON, "-m", "celery", "-A", "ecommerce_backend", "worker", "-l", "info", "-n", "worker@%h"]
    argv += ["-Q", "celery,ai_heavy,ai_light", "--concurrency", str(concurrency)]
    argv += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return _on_host(world, host, f"{host}-worker", argv)


def beat_process(world: World, host: str) -> ManagedProcess:
    argv = [PYTHON, "-m", "celery", "-A", "ecommerce_backend", "beat", "-l", "info"]
    argv += ["--pidfile", str(world.run_dir / "beat.pid"), "-s", str(world.run_dir / "beat-schedule")]
    return _on_host(world, host, f"{host}-beat", argv)


def start_hosts(world: World, concurrency: int = 1) -> None:
    """gunicorn on b and c, a worker on d and e, beat on e; returns once all answer or are ready."""
    for host in WEB_HOSTS:
        world.web[host] = web_process(world, host).start()
    for host in WORKER_HOSTS:
        world.workers[host] = worker_process(world, host, concurrency).start()
    world.beat = beat_process(world, BEAT_HOST).start()
    for host, process in world.web.items():
        wait_http(f"{world.web_url(host)}/healthz", 120, process)
    for process in world.workers.values():
        wait_until(lambda p=process: worker_ready(p), 180, f"{process.name} ready")
    log(f"web on {', '.join(world.web_url(h) for h in WEB_HOSTS)}; workers on {', '.join(WORKER_HOSTS)}; beat on e")


def restart_worker(world: World, host: str) -> float:
    """Start `host`'s worker again and wait until it consumes; the seconds it took."""
    import time

    started = time.monotonic()
    process = world.workers[host].start()
    wait_until(lambda: worker_ready(process), 180, f"{process.name} ready after restart")
    return time.monotonic() - started


def stop_all(world: World) -> None:
    """Every process of the run, host processes first (they hold connections to the services)."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
    for process in world.processes():
        try:
            process.stop(timeout=10)
        except Exception as exc:  # keep stopping the rest
            print(f"could not stop {process.name}: {exc}", file=sys.stderr)
