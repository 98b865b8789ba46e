"""API fuzzing with schemathesis against the project's own OpenAPI schema (/api/schema/), in-process.

The schema is read from the Django WSGI app itself; every operation in it becomes a test that sends
generated requests, valid and invalid, as anonymous and as staff. Each answer must not be a 5xx, its status
code must be documented for the operation, and its content type, headers and body must match what the
schema says for that status; invalid input must be refused with a 4xx. Bounded for CI: a few examples per
operation, no deadline (the machine is shared), derandomized so that a CI failure reproduces locally.
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecommerce_backend.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
FUZZ = settings(
    # FUZZ_MAX_EXAMPLES=200 for a long local run; CI keeps the default.
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # CI: the same requests every run, so failures reproduce
    database=None,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@FUZZ
@schema.parametrize()
def test_every_operation_as_anonymous(case, fuzz_env):
    case.call_and_validate(checks=CHECKS)


@FUZZ
@schema.parametrize()
def test_every_operation_as_staff(case, staff_headers):
    case.call_and_validate(headers=staff_headers, checks=CHECKS)


def test_the_fuzzer_reaches_the_app(fuzz_env):
    """Guard against a fuzz run that passes because nothing was called: the schema is whole, the app answers."""
    assert len(list(schema.get_all_operations())) >= 30
    case = schema["/api/ai-assistant/search"]["GET"].Case(query={"q": "full-suspension"})
    response = case.call()
    assert response.status_code == 200
    assert response.json()["results"], "the bicycle catalog is indexed"
