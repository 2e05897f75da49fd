"""The API keeps its contract: fuzzed from its own OpenAPI schema as each persona, no answer is a 500 or differs from
the schema.

schemathesis reads the schema drf-spectacular generates (what /api/schema/ serves), calls the WSGI application in the
test's own transaction and, for every operation, sends the schema's examples,
the coverage phase's boundary and invalid values, and a bounded number of random (fuzzing) cases; every check is on.
Fixed seed and deterministic generation keep the run repeatable and its time modest. docs/api.md says how to run a
longer one.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from clinic.wsgi import application

from .api_contract import PERSONAS, make_practice, openapi_document, persona_headers, requests_in_this_transaction

pytestmark = pytest.mark.django_db

SEED = 12
FUZZ_EXAMPLES = 5


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"deterministic": True, "max-examples": FUZZ_EXAMPLES, "no-shrink": True, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "checks": {
            # The rules behind the schema (a date of birth in the future, a taken slot, a signed assessment) refuse
            # some schema-valid bodies with a documented 400 or 409: that is the contract, not a violation.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]},
        },
    }
)

# Generated when the module is collected (Django is set up by then; the schema needs no database). schemathesis's
# lazy from_fixture loader does not work with this pytest version.
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)
schema.app = application


@pytest.fixture
def contract_session(db):
    make_practice()
    headers = persona_headers()  # Django's test client reconnects the signals below after each request: first.
    with requests_in_this_transaction():
        yield headers


@schema.parametrize()
# The session's rows and tokens are shared by an operation's cases on purpose: each case is one request per persona,
# and what it writes is rolled back with the test.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_keeps_the_contract_for_every_persona(case, contract_session):
    # Each generated case goes out once per persona: generating is the costly part, a refused request is cheap.
    for persona in PERSONAS:
        case.call_and_validate(headers=contract_session[persona])
