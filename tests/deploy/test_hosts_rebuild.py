"""bench.hosts reads the chunks each worker host ran from the workers' logs, and compares two rebuilds."""

from __future__ import annotations

from bench.hosts_rebuild import Snapshot, chunks_by_host, log_sizes


def test_chunks_are_counted_per_host_and_only_since_the_offset(tmp_path):
    d, e = tmp_path / "d-worker.log", tmp_path / "e-worker.log"
    d.write_text("[..] Rebuild chunk 1/4 on worker@host-d: 100 documents, 0 embedded (rebuild old)\n")
    e.write_text("")
    offsets = log_sizes([d, e, tmp_path / "missing.log"])
    with open(d, "a") as log:
        log.write("[..] Rebuild chunk 2/4 on worker@host-d: 100 documents, 3 embedded (rebuild r1)\n")
        log.write("[..] Rebuild chunk 3 of r1 skipped on worker@host-d: the rebuild is over\n")
    with open(e, "a") as log:
        log.write("[..] Rebuild chunk 1/4 on worker@host-e: 100 documents, 0 embedded (rebuild r1)\n")
        log.write("[..] Rebuild chunk 4/4 on worker@host-e: 79 documents, 0 embedded (rebuild r1)\n")
        log.write("[..] Rebuild chunk 3/4 of r1 lost with its worker 'worker@host-d': sent again\n")
    assert chunks_by_host(offsets) == {"worker@host-d": 1, "worker@host-e": 2}


def test_snapshots_differ_by_document_hash_and_vector():
    one = Snapshot("a", {"product:1": "h1", "product:2": "h2"}, {"product:1": "v1", "product:2": "v2"})
    assert one.differences(Snapshot("b", dict(one.ledger), dict(one.vectors))) == {
        "ledger only one side": 0,
        "ledger hash differs": 0,
        "vectors only one side": 0,
        "vector or metadata differs": 0,
    }
    other = Snapshot("b", {"product:1": "h1", "product:2": "changed"}, {"product:1": "v1", "product:3": "v3"})
    assert one.differences(other) == {
        "ledger only one side": 0,
        "ledger hash differs": 1,
        "vectors only one side": 2,
        "vector or metadata differs": 0,
    }
