"""Read /metrics as a test would scrape it: {(name, labels): value} of every sample."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

SAMPLE = tuple[str, tuple[tuple[str, str], ...]]


def scrape(client, **extra) -> dict[SAMPLE, float]:
    """GET /metrics (from 127.0.0.1 unless `extra` says otherwise); fails unless it answers 200."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:300]
    samples: dict[SAMPLE, float] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[SAMPLE, float], name: str, **labels: str) -> float:
    """A sample's value, 0 when the series does not exist yet (a counter nobody has touched)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)
