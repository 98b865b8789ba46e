"""The hosts of bench.hosts on this machine: a bridge in the root network namespace (host A) and one network
namespace per other host, each joined to the bridge by a veth pair. Nothing is routed beyond the bridge, so the
hosts reach each other and host A, and nothing else (not even the machine's loopback services).

    net = Network.create(["b", "c", "d", "e"])       # bridge 10.77.0.1/24, b = 10.77.0.2, c = .3 ...
    net.command("b", "host-b", ["python", ...])      # argv that runs a program on host b (own hostname too)
    net.cut("b"); net.restore("b")                    # b's link down / up: its traffic is lost meanwhile
    net.teardown()                                    # namespaces, veths and bridge gone (also on errors)

Interface and namespace names carry a random tag (`mh` + 4 hex digits), so two networks with different
subnets do not collide and nothing of anyone else's is touched. Requires root (CAP_NET_ADMIN).
"""

from __future__ import annotations

import ipaddress
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field

DEFAULT_SUBNET = "10.77.0.0/24"


class NetworkError(RuntimeError):
    """An `ip` command failed (not root, a name or an address already taken)."""


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `ip ARGS`; NetworkError with its stderr when it fails and `check`."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode != 0:
        raise NetworkError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done


def address_in_use(address: str) -> bool:
    """Whether some interface of the root namespace already holds `address`."""
    return f"inet {address}/" in ip("-4", "addr", "show").stdout


@dataclass
class Network:
    """A bridge (host A's address) and one namespace per host, created by `create`, removed by `teardown`."""

    tag: str
    subnet: ipaddress.IPv4Network
    hosts: list[str]
    created_namespaces: list[str] = field(default_factory=list)
    bridge_created: bool = False

    @property
    def bridge(self) -> str:
        return f"{self.tag}br"

    @property
    def gateway(self) -> str:
        """Host A: the bridge's address, where the shared services listen."""
        return str(self.subnet.network_address + 1)

    def address(self, host: str) -> str:
        return str(self.subnet.network_address + 2 + self.hosts.index(host))

    def namespace(self, host: str) -> str:
        return f"{self.tag}-{host}"

    def veth(self, host: str) -> str:
        """The root-namespace end of `host`'s veth pair (the end `cut` takes down)."""
        return f"{self.tag}{host}"

    @classmethod
    def create(cls, hosts: list[str], subnet: str = DEFAULT_SUBNET, tag: str | None = None) -> Network:
        """Bridge and namespaces; on any failure what was made so far is removed before the error propagates."""
        network = ipaddress.ip_network(subnet)
        if network.num_addresses < len(hosts) + 3:
            raise NetworkError(f"{subnet} is too small for {len(hosts)} hosts")
        net = cls(tag or f"mh{secrets.token_hex(2)}", network, list(hosts))
        if address_in_use(net.gateway):
            raise NetworkError(f"{net.gateway} is already on an interface (another run?): pass another --subnet")
        try:
            net._build()
        except BaseException:
            net.teardown()
            raise
        return net

    def _build(self) -> None:
        prefix = self.subnet.prefixlen
        ip("link", "add", self.bridge, "type", "bridge")
        self.bridge_created = True
        ip("addr", "add", f"{self.gateway}/{prefix}", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for host in self.hosts:
            namespace = self.namespace(host)
            ip("netns", "add", namespace)
            self.created_namespaces.append(namespace)
            ip("link", "add", self.veth(host), "type", "veth", "peer", "name", "eth0", "netns", namespace)
            ip("link", "set", self.veth(host), "master", self.bridge, "up")
            ip("-n", namespace, "addr", "add", f"{self.address(host)}/{prefix}", "dev", "eth0")
            ip("-n", namespace, "link", "set", "eth0", "up")
            ip("-n", namespace, "link", "set", "lo", "up")

    def command(self, host: str, hostname: str, argv: list[str]) -> list[str]:
        """argv that runs `argv` inside `host`'s namespace with a UTS namespace whose hostname is `hostname`.

        Every step execs the next, so the process id is the program's own (a kill reaches the program)."""
        shell = 'hostname "$0" && exec "$@"'
        return ["ip", "netns", "exec", self.namespace(host), "unshare", "--uts", "sh", "-c", shell, hostname, *argv]

    def cut(self, host: str) -> None:
        """Take `host`'s link down: its packets are dropped both ways (TCP connections stall, then resume)."""
        ip("link", "set", self.veth(host), "down")

    def restore(self, host: str) -> None:
        ip("link", "set", self.veth(host), "master", self.bridge, "up")

    def teardown(self) -> list[str]:
        """Remove the namespaces (their veths go with them) and the bridge, and wait until the kernel has;
        the errors met, as text."""
        problems: list[str] = []
        for namespace in reversed(self.created_namespaces):
            done = ip("netns", "del", namespace, check=False)
            if done.returncode != 0:
                problems.append(f"ip netns del {namespace}: {done.stderr.strip()}")
        self.created_namespaces.clear()
        if self.bridge_created:
            done = ip("link", "del", self.bridge, check=False)
            if done.returncode != 0:
                problems.append(f"ip link del {self.bridge}: {done.stderr.strip()}")
            self.bridge_created = False
        problems += [f"still present: {name}" for name in self.leftovers()]
        for problem in problems:
            print(f"teardown: {problem}", file=sys.stderr)
        return problems

    def leftovers(self, wait: float = 10.0) -> list[str]:
        """Namespaces and links of this run's tag still present after `wait` seconds at most (the kernel
        removes a deleted namespace's veths a moment later, once its last process is gone)."""
        deadline = time.monotonic() + wait
        while (found := self._tagged()) and time.monotonic() < deadline:
            time.sleep(0.2)
        return found

    def _tagged(self) -> list[str]:
        links = [line.split(":")[1].strip().split("@")[0] for line in ip("-o", "link", "show").stdout.splitlines()]
        namespaces = [line.split()[0] for line in ip("netns", "list").stdout.splitlines() if line.strip()]
        return [name for name in links + namespaces if name.startswith(self.tag)]
