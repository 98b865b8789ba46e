"""The pieces of bench.hosts that need no shop: the hosts' network namespaces and the TCP forwarder.

As root (CI runs as root on this machine kind): namespaces reach host A at the bridge address and each other,
a cut host is unreachable until restored, everything is gone after teardown, and the forwarder carries bytes
both ways. The full run (python -m bench.hosts) takes minutes: it is a benchmark, not a test.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from bench.hosts_forward import parse_address
from bench.hosts_net import Network, NetworkError
from bench.stack import ROOT, port_open, wait_until

# Not bench.hosts' default, and one per test process: a bench run or another test run beside does not collide.
THIRD = os.getpid() % 250
SUBNET = f"10.79.{THIRD}.0/24"


@pytest.fixture(autouse=True)
def _root() -> None:
    assert os.geteuid() == 0, "these tests build network namespaces: run them as root (CI does)"


def _echo_server(host: str) -> tuple[socket.socket, int]:
    """A listening socket on `host` that answers every connection with b'pong:' + what it read, once."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"pong:" + conn.recv(100))

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def _close(server: socket.socket) -> None:
    """Stop listening now (shutdown wakes the accepting thread; a bare close would leave it listening)."""
    with contextlib.suppress(OSError):
        server.shutdown(socket.SHUT_RDWR)
    server.close()


def _connect_from(net: Network, host: str, address: str, port: int, timeout: float = 2.0) -> str:
    """What a client in `host`'s namespace gets back from address:port ('' when it cannot connect)."""
    code = (
        "import socket,sys\n"
        "try:\n"
        f"    s = socket.create_connection(({address!r}, {port}), timeout={timeout})\n"
        "    s.sendall(b'ping'); print(s.recv(100).decode())\n"
        "except OSError as e:\n"
        "    print('')\n"
    )
    argv = net.command(host, f"host-{host}", [sys.executable, "-c", code])
    return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()


@pytest.fixture
def net():
    network = Network.create(["b", "c"], SUBNET)
    try:
        yield network
    finally:
        network.teardown()


def test_hosts_reach_host_a_and_a_cut_host_does_not(net):
    server, port = _echo_server(net.gateway)
    try:
        assert (net.gateway, net.address("b"), net.address("c")) == tuple(f"10.79.{THIRD}.{n}" for n in (1, 2, 3))
        assert _connect_from(net, "b", net.gateway, port) == "pong:ping"
        assert _connect_from(net, "c", net.gateway, port) == "pong:ping"
        net.cut("b")
        assert _connect_from(net, "b", net.gateway, port, timeout=1.0) == ""
        assert _connect_from(net, "c", net.gateway, port) == "pong:ping"  # only b is cut
        net.restore("b")
        assert _connect_from(net, "b", net.gateway, port) == "pong:ping"
    finally:
        _close(server)


def test_hosts_do_not_reach_the_machines_loopback(net):
    server, port = _echo_server("127.0.0.1")
    try:
        assert _connect_from(net, "b", "127.0.0.1", port, timeout=1.0) == ""
    finally:
        _close(server)


def test_each_host_has_its_own_hostname(net):
    argv = net.command("c", "host-c", ["hostname"])
    assert subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip() == "host-c"
    assert socket.gethostname() != "host-c"  # the machine's own name is untouched


def test_teardown_leaves_nothing_and_a_taken_address_is_refused():
    network = Network.create(["b"], SUBNET)
    try:
        with pytest.raises(NetworkError, match="already on an interface"):
            Network.create(["b"], SUBNET, tag="mhtest")
    finally:
        assert network.teardown() == []
    assert network.leftovers() == []


def test_the_forwarder_carries_both_ways():
    server, port = _echo_server("127.0.0.1")
    listen = socket.socket()
    listen.bind(("127.0.0.1", 0))
    front = listen.getsockname()[1]
    listen.close()
    command = [sys.executable, "-m", "bench.hosts_forward", f"127.0.0.1:{front}", f"127.0.0.1:{port}"]
    forwarder = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert forwarder.stdout is not None
        assert forwarder.stdout.readline().startswith(f"forwarding 127.0.0.1:{front} -> 127.0.0.1:{port}")
        wait_until(lambda: port_open(front), 10, "forwarder listening")
        with socket.create_connection(("127.0.0.1", front), timeout=5) as client:
            client.sendall(b"through")
            assert client.recv(100) == b"pong:through"
        _close(server)  # the target gone: a new connection is closed at once, without an answer
        with socket.create_connection(("127.0.0.1", front), timeout=5) as client:
            started = time.monotonic()
            assert client.recv(100) == b""
            assert time.monotonic() - started < 4
    finally:
        forwarder.terminate()
        assert forwarder.wait(timeout=10) == 0
        _close(server)


def test_parse_address():
    assert parse_address("10.77.0.1:5432") == ("10.77.0.1", 5432)
    with pytest.raises(Exception, match="HOST:PORT"):
        parse_address("5432")
