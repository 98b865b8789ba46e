"""A TCP forwarder (asyncio): every connection accepted on LISTEN is piped both ways to TARGET.

bench.hosts runs it on host A to make the machine's PostgreSQL, which listens on 127.0.0.1 only, reachable
from the other hosts at the bridge address:

    python -m bench.hosts_forward 10.77.0.1:5432 127.0.0.1:5432

It prints "forwarding LISTEN -> TARGET" once it listens. A connection whose target refuses is closed at once;
either side closing (or failing) closes the other. Stop it with SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

CHUNK = 64 * 1024


def parse_address(text: str) -> tuple[str, int]:
    """Split "host:port" into (host, port)."""
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


async def _connection(client_r, client_w, target: tuple[str, int]) -> None:
    try:
        server_r, server_w = await asyncio.open_connection(*target)
    except OSError:
        client_w.close()
        return
    await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))


async def serve(listen: tuple[str, int], target: tuple[str, int], ready: asyncio.Event | None = None) -> None:
    """Forward until cancelled; `ready` is set once the listening socket is open."""
    server = await asyncio.start_server(lambda r, w: _connection(r, w, target), *listen, reuse_address=True)
    async with server:
        if ready is not None:
            ready.set()
        await server.serve_forever()


async def _main(listen: tuple[str, int], target: tuple[str, int]) -> None:
    ready = asyncio.Event()
    task = asyncio.create_task(serve(listen, target, ready))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    if ready.is_set():
        print(f"forwarding {listen[0]}:{listen[1]} -> {target[0]}:{target[1]}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("listen", type=parse_address, help="HOST:PORT to accept connections on")
    parser.add_argument("target", type=parse_address, help="HOST:PORT to forward them to")
    args = parser.parse_args(argv)
    asyncio.run(_main(args.listen, args.target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
