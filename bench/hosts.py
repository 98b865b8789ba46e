"""The shop on several hosts, on this machine: network namespaces joined by a bridge (issue 15).

    sudo .venv/bin/python -m bench.hosts                          # 300 products, 1500 writes, 6 writers
    sudo .venv/bin/python -m bench.hosts --products 200 --ops 400  # shorter

Host A is the root namespace at the bridge address (10.77.0.1 by default): the run's redis-server, Chroma
server and a TCP forwarder to the machine's PostgreSQL (bench/hosts_world.py). Hosts b and c (.2, .3) run
gunicorn, d and e (.4, .5) a Celery worker each, beat on e; each in a network namespace of its own with its
own hostname (host-b ...), reaching only the bridge (bench/hosts_net.py). Every host process has MULTI_HOST=1
and the services at the bridge address; `manage.py check` on host b must report no host warning.

The scenario (this process drives it from the root namespace and reads the database directly):
1. chaos writes (bench/chaos.py's random catalog operations) from --writers threads, spread over b and c
   in turn (writer 0 to b, 1 to c ...), while a probe edits products through c and searches through c until
   found (freshness);
2. at a third of the writes, host d's processes are killed with SIGKILL while they hold a flush, and
   restarted --restart-after seconds later (host e carries on meanwhile);
3. at two thirds, host b's link is taken down for --cut-seconds;
4. after the writes: wait until database, ledger and vectors agree (missing, stale, ghosts); then the
   probe again without writers (--quiet-samples single edits through c, as bench.freshness measures);
5. a rebuild through c with both worker hosts, then one with host d's worker stopped: time of each, chunks
   per host from the workers' logs ("Rebuild chunk ... on host-d"), and the two results compared document
   by document (ledger hashes, vectors and metadata).

PASS: missing = stale = ghosts = 0; no 5xx or failed request except on b while it was cut; freshness p95
through c under 3 s, during the chaos writes and as single edits after them (while changes keep arriving the
debounced flush writes their keyword rows and facts ahead; their vectors wait for a quiet moment, at most
AI_INDEX_DEBOUNCE_MAX_WAIT_SECONDS); both rebuilds equal; when
the rebuild runs in chunks, chunks on both worker hosts; no host warning. Namespaces, veths, bridge,
processes and the database are removed at the end, also on Ctrl-C, SIGTERM or an error (`--keep-logs` keeps
the log folder). Embeddings: the hashing provider (--embedding).
Needs root (network namespaces) and the machine's PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import hosts_rebuild, hosts_world  # noqa: E402 - after the sys.path line above
from bench.chaos import seed, tasks_in_hand, wait_for_convergence  # noqa: E402
from bench.hosts_net import DEFAULT_SUBNET, Network  # noqa: E402
from bench.hosts_report import report, verdict  # noqa: E402
from bench.hosts_traffic import CutWindow, FreshnessProbe, Writers  # noqa: E402
from bench.hosts_world import WEB_HOSTS, World, log  # noqa: E402
from bench.stack import PostgresDatabase  # noqa: E402

HOSTS = ["b", "c", "d", "e"]
STOPPING = threading.Event()  # set on the way out: the fault thread acts no more
KILLED_HOST, CUT_HOST, PROBE_HOST = "d", "b", "c"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=300, help="synthetic products to start from (default 300)")
    parser.add_argument("--categories", type=int, default=4, help="synthetic categories (default 4)")
    parser.add_argument("--ops", type=int, default=1500, help="chaos write operations in all (default 1500)")
    parser.add_argument("--writers", type=int, default=6, help="writer threads (default 6)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the catalog and the writes")
    parser.add_argument("--cut-seconds", type=float, default=10.0, help="host b's network down this long")
    parser.add_argument("--restart-after", type=float, default=5.0, help="host d restarted this long after the kill")
    parser.add_argument("--debounce", type=float, default=1.0, help="AI_INDEX_DEBOUNCE_SECONDS (default 1)")
    parser.add_argument("--claim-timeout", type=float, default=20.0, help="AI_INDEX_CLAIM_TIMEOUT_SECONDS")
    parser.add_argument("--sweep-interval", type=float, default=5.0, help="AI_INDEX_SWEEP_INTERVAL_SECONDS")
    parser.add_argument("--embedding", default="hashing", help="EMBEDDING_PROVIDER of every host (default hashing)")
    parser.add_argument(
        "--rebuild-chunk-size", type=int, default=100, help="AI_REBUILD_CHUNK_SIZE: documents per rebuild chunk"
    )
    parser.add_argument(
        "--quiet-samples", type=int, default=30, help="single edits through c after the writes (default 30)"
    )
    parser.add_argument(
        "--worker-concurrency", type=int, default=1, help="processes per worker host (default 1)"
    )
    parser.add_argument("--no-rebuild", action="store_true", help="skip the two timed rebuilds")
    parser.add_argument("--subnet", default=DEFAULT_SUBNET, help=f"the bridge's subnet (default {DEFAULT_SUBNET})")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep-logs", action="store_true", help="keep the process logs even when the run passes")
    args = parser.parse_args(argv)
    if args.ops < 3 or args.writers < 1 or args.worker_concurrency < 1:
        parser.error("--ops must be at least 3, --writers and --worker-concurrency at least 1")
    return args


def setup_django(world: World) -> None:
    """This process: the hosts' environment, the database directly (not through the forwarder), migrate."""
    os.environ.update(world.env)
    os.environ["DATABASE_URL"] = world.database.url
    os.environ["LOG_LEVEL"] = "WARNING"  # tables on stdout, progress on stderr
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


class Faults:
    """Kills host d mid-flush at a third of the writes and cuts host b at two thirds (a thread)."""

    def __init__(self, args: argparse.Namespace, world: World, writers: Writers, cut: CutWindow, t0: float):
        self.args, self.world, self.writers, self.cut, self.t0 = args, world, writers, cut, t0
        self.timeline: list[tuple[float, str]] = []
        self.failures: list[str] = []
        self.restart: threading.Thread | None = None
        self.kill_at: float | None = None
        self.thread = threading.Thread(target=self._run, name="faults", daemon=True)

    def note(self, text: str) -> None:
        self.timeline.append((time.monotonic() - self.t0, text))
        log(text)

    def _wait_progress(self, share: float) -> None:
        while self.writers.progress() < share and self.writers.running() and not STOPPING.is_set():
            time.sleep(0.05)
        if STOPPING.is_set():
            raise RuntimeError("the run is stopping")

    def _run(self) -> None:
        try:
            self._wait_progress(1 / 3)
            self._kill()
            self._wait_progress(2 / 3)
            self._cut()
            if self.restart is not None:
                self.restart.join()
        except Exception:
            self.failures.append(traceback.format_exc())
            log(f"fault thread failed:\n{self.failures[-1]}")

    def _kill(self) -> None:
        worker = self.world.workers[KILLED_HOST]
        deadline = time.monotonic() + 30  # aim at a flush (either worker may take it); after 30 s any moment
        while "ai_assistant.flush_index_changes" not in tasks_in_hand(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        held = tasks_in_hand(worker)
        worker.kill()
        self.kill_at = time.monotonic()
        self.note(f"kill -9 of host {KILLED_HOST}'s worker (process group {worker.pid}); in hand: {held or 'none'}")
        self.restart = threading.Thread(target=self._restart, name="restart-d", daemon=True)
        self.restart.start()

    def _restart(self) -> None:
        try:
            if STOPPING.wait(self.args.restart_after):
                return
            seconds = hosts_world.restart_worker(self.world, KILLED_HOST)
            self.note(f"host {KILLED_HOST}'s worker restarted, consuming after {seconds:.1f} s")
        except Exception:
            self.failures.append(traceback.format_exc())

    def _cut(self) -> None:
        self.cut.host = CUT_HOST
        self.cut.start = time.monotonic()
        self.world.net.cut(CUT_HOST)
        self.note(f"host {CUT_HOST}'s network cut (link {self.world.net.veth(CUT_HOST)} down)")
        STOPPING.wait(self.args.cut_seconds)
        self.world.net.restore(CUT_HOST)
        self.cut.end = time.monotonic()
        self.note(f"host {CUT_HOST}'s network back after {self.cut.end - self.cut.start:.1f} s")


def run_traffic(args: argparse.Namespace, world: World, token: str) -> dict:
    """Writes, probe and faults; then convergence. The numbers for the report."""
    cut = CutWindow()
    urls = {host: world.web_url(host) for host in WEB_HOSTS}
    writers = Writers(args.ops, args.writers, args.seed, urls, token, cut)
    probe = FreshnessProbe(world.web_url(PROBE_HOST), token, args.seed)
    t0 = time.monotonic()
    faults = Faults(args, world, writers, cut, t0)
    writers.start()
    probe.thread.start()
    faults.thread.start()
    writers.join()
    times = sorted(writers.tally.seconds) or [0.0]
    log(
        f"writes done: {writers.done} in {writers.finished - writers.started:.1f} s; each write's time p50 / p95 "
        f"{times[len(times) // 2] * 1000:.0f} / {times[int(len(times) * 0.95)] * 1000:.0f} ms"
    )
    probe.stop.set()  # its last edit may still be waiting to be found: joined after the convergence
    faults.thread.join()
    converged_at, consistency = wait_for_convergence(4 * args.claim_timeout + 120)
    probe.thread.join()
    quiet = quiet_freshness(world, token, args)
    return {
        "quiet_probe": quiet,
        "writers": writers,
        "probe": probe,
        "faults": faults,
        "cut": cut,
        "consistency": consistency,
        "converged_after_writes_s": None if converged_at is None else round(converged_at - writers.finished, 1),
    }


def quiet_freshness(world: World, token: str, args: argparse.Namespace) -> FreshnessProbe:
    """The same probe through c once the writes are over and the index agrees: freshness without the load."""
    probe = FreshnessProbe(world.web_url(PROBE_HOST), token, args.seed + 1)
    probe.thread.start()
    deadline = time.monotonic() + 30 * args.quiet_samples
    while len(probe.samples) < args.quiet_samples and time.monotonic() < deadline:
        time.sleep(0.2)
    probe.stop.set()
    probe.thread.join()
    return probe


def run_rebuilds(world: World, token: str) -> dict:
    """A rebuild with both worker hosts, then one with host d's worker stopped; compared."""
    url = world.web_url(PROBE_HOST)
    logs = [process.log_path for process in world.workers.values()]
    offsets = hosts_rebuild.log_sizes(logs)
    two_seconds, two_status, two = hosts_rebuild.timed_rebuild(url, token)
    two_chunks = hosts_rebuild.chunks_by_host(offsets)
    two_load = os.getloadavg()
    log(f"rebuild with 2 worker hosts: {two_seconds:.1f} s, chunks {dict(two_chunks) or 'none logged'}")
    world.workers[KILLED_HOST].stop()
    offsets = hosts_rebuild.log_sizes(logs)
    one_seconds, _, one = hosts_rebuild.timed_rebuild(url, token)
    one_chunks = hosts_rebuild.chunks_by_host(offsets)
    one_load = os.getloadavg()
    log(f"rebuild with 1 worker host: {one_seconds:.1f} s, chunks {dict(one_chunks) or 'none logged'}")
    return {
        "two": {"seconds": two_seconds, "chunks": dict(two_chunks), "documents": len(two.ledger), "load": two_load},
        "one": {"seconds": one_seconds, "chunks": dict(one_chunks), "documents": len(one.ledger), "load": one_load},
        "differences": two.differences(one),
        "progress": {k: v for k, v in two_status.items() if "chunk" in k},
    }


def _interrupt(signum, frame):  # SIGTERM: clean up exactly as on Ctrl-C
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench.hosts needs root (ip netns, veth, bridge)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    run_dir = Path(os.environ.get("MARCUS_VAR_DIR", ROOT / "var")) / "bench" / f"hosts-{os.getpid()}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    database = PostgresDatabase(f"h15b_hosts_{os.getpid()}", "postgres://postgres@127.0.0.1:5432/postgres")
    net: Network | None = None
    world: World | None = None
    passed = False
    try:
        net = Network.create(HOSTS, args.subnet)
        database.create()
        extra = {
            "EMBEDDING_PROVIDER": args.embedding,
            "AI_INDEX_DEBOUNCE_SECONDS": str(args.debounce),
            "AI_INDEX_CLAIM_TIMEOUT_SECONDS": str(args.claim_timeout),
            "AI_INDEX_SWEEP_INTERVAL_SECONDS": str(args.sweep_interval),
            "AI_REBUILD_CHUNK_SIZE": str(args.rebuild_chunk_size),
        }
        world = hosts_world.start_services(net, run_dir, database, extra)
        setup_django(world)
        token = seed(args)
        warnings = hosts_world.host_checks(world, "b")
        log(f"manage.py check on host b: {len(warnings)} host warning(s)")
        hosts_world.start_hosts(world, args.worker_concurrency)
        result = run_traffic(args, world, token)
        result["warnings"] = warnings
        result["rebuild"] = None if args.no_rebuild else run_rebuilds(world, token)
        result["load_end"] = os.getloadavg()
        passed, reasons = verdict(result)
        print(report(args, result, passed, reasons), flush=True)
        if args.json:
            args.json.write_text(json.dumps(_jsonable(result, passed, reasons), indent=2, default=str))
        return 0 if passed else 1
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        STOPPING.set()
        if world is not None:
            hosts_world.stop_all(world)
        database.drop()
        if net is not None:
            net.teardown()
            left = net.leftovers()
            if left:
                print(f"left behind: {left}", file=sys.stderr)
        if args.keep_logs or not passed:
            print(f"logs kept in {run_dir}", file=sys.stderr)
        else:
            shutil.rmtree(run_dir, ignore_errors=True)


def _jsonable(result: dict, passed: bool, reasons: list[str]) -> dict:
    writers, probe = result["writers"], result["probe"]
    return {
        "passed": passed,
        "reasons": reasons,
        "requests": {" ".join(key): n for key, n in sorted(writers.tally.counts.items())},
        "problems": writers.tally.problems[:50],
        "write_seconds": sorted(round(x, 4) for x in writers.tally.seconds),
        "freshness_s": [s.seconds for s in probe.samples],
        # When each edit was answered, on the faults' clock ("t"): which samples a fault could have slowed.
        "freshness_t": [round(s.sent - result["faults"].t0, 1) for s in probe.samples],
        # Seconds until the keyword row held the word, seen while the search had not yet returned the product.
        "freshness_keyword_s": [s.keyword_seconds for s in probe.samples],
        "freshness_products": [s.product for s in probe.samples],
        "freshness_sent_at": [round(s.sent_at, 3) for s in probe.samples],
        "freshness_words": [s.word for s in probe.samples],
        "freshness_quiet_s": [s.seconds for s in result["quiet_probe"].samples],
        "freshness_ranks": [s.rank for s in [*probe.samples, *result["quiet_probe"].samples]],
        "freshness_dropped": probe.dropped,
        "freshness_never_found": probe.never_found + result["quiet_probe"].never_found,
        "freshness_errors": probe.errors[:20],
        "faults": [{"t": round(t, 1), "event": text} for t, text in result["faults"].timeline],
        "consistency": result["consistency"],
        "converged_after_writes_s": result["converged_after_writes_s"],
        "warnings": result["warnings"],
        "rebuild": result["rebuild"],
        "load_end": result["load_end"],
    }


if __name__ == "__main__":
    sys.exit(main())
