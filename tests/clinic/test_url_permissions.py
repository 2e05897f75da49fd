"""Who may reach every URL, stated here independently of the views: a table, one row per route.

For each route the table says who gets past the permission check when reading (GET) and when writing (POST, PATCH,
DELETE). Every persona tries every method on every route (placeholder ids, so the check must come before the object
lookup): a persona in the set must not be refused; anyone else must be (anonymous: 401/403 or the sign-in page;
signed-in people: 403; or 405 where the route does not take the method at all). The answer for those let in may be
anything but a refusal or an error (200, 302, 400, 404, 405...): with placeholder ids and empty bodies nothing is
changed.

A route missing from the table fails test_every_route_has_a_row, and a row whose route has gone fails too.
Adding a route = adding one line to ROUTES, in any place (keep it near its neighbours to help merges).
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from clinic.permissions import MATRIX

ADMIN_PREFIX = "admin/"
PERSONAS = ("anonymous", "outsider", "front_desk", "physio", "admin_user")

# Who, spelled out (not taken from clinic.permissions): the outsider has a login but no role in this practice.
ANYONE = frozenset(PERSONAS)
STAFF = frozenset({"front_desk", "physio", "admin_user"})
CLINICIANS = frozenset({"physio", "admin_user"})  # front desk sees no clinical content
DESK_AND_ADMIN = frozenset({"front_desk", "admin_user"})
ADMINS = frozenset({"admin_user"})

# route -> (who may read, who may write)
ROUTES: dict[str, tuple[frozenset, frozenset]] = {
    "": (STAFF, STAFF),
    # accounts
    "accounts/login/": (ANYONE, ANYONE),
    "accounts/logout/": (ANYONE, ANYONE),
    "accounts/password/change/": (STAFF, STAFF),
    "accounts/password/change/done/": (STAFF, STAFF),
    "accounts/password/reset/": (ANYONE, ANYONE),
    "accounts/password/reset/sent/": (ANYONE, ANYONE),
    "accounts/password/reset/<uidb64>/<token>/": (ANYONE, ANYONE),
    "accounts/password/reset/complete/": (ANYONE, ANYONE),
    # sign-in security: each member of staff manages their own second factor and tokens
    "accounts/two-factor/": (STAFF, STAFF),
    "accounts/two-factor/setup/": (STAFF, STAFF),
    "accounts/two-factor/recovery-codes/": (STAFF, STAFF),
    "accounts/security/": (STAFF, STAFF),
    "accounts/security/devices/remove/": (STAFF, STAFF),
    "accounts/security/tokens/revoke/": (STAFF, STAFF),
    # Adding a passkey also needs a session that has passed its second factor, which the walk's sessions have not:
    # refused to everyone here (tests/e2e/test_two_factor.py registers one after signing in with a code).
    "accounts/passkeys/registration/begin/": (frozenset(), frozenset()),
    "accounts/passkeys/registration/complete/": (frozenset(), frozenset()),
    "accounts/passkeys/authentication/begin/": (STAFF, STAFF),
    "accounts/passkeys/authentication/complete/": (STAFF, STAFF),
    "accounts/passkeys/jsi18n/": (ANYONE, ANYONE),  # the passkey script's translations: no data
    # patients: the front desk registers and edits patients (demographics, contact details)
    "patients/": (STAFF, STAFF),
    "patients/new/": (STAFF, STAFF),
    "patients/<int:pk>/": (STAFF, STAFF),
    "patients/<int:pk>/edit/": (STAFF, STAFF),
    "patients/<int:pk>/archive/": (STAFF, STAFF),
    # assessments: clinical
    "assessments/patient/<int:patient_id>/panel/": (CLINICIANS, CLINICIANS),
    "assessments/patient/<int:patient_id>/summary/": (CLINICIANS, CLINICIANS),
    "assessments/setup/questionnaire-packs/": (ADMINS, ADMINS),
    "assessments/patient/<int:patient_id>/new/": (CLINICIANS, CLINICIANS),
    "assessments/patient/<int:patient_id>/progress/": (CLINICIANS, CLINICIANS),
    "assessments/patient/<int:patient_id>/report/": (CLINICIANS, CLINICIANS),
    "assessments/reports/<int:pk>/": (CLINICIANS, CLINICIANS),
    "assessments/reports/<int:pk>/status/": (CLINICIANS, CLINICIANS),
    "assessments/reports/<int:pk>/retry/": (CLINICIANS, CLINICIANS),
    "assessments/<int:pk>/": (CLINICIANS, CLINICIANS),
    "assessments/<int:pk>/edit/": (CLINICIANS, CLINICIANS),
    "assessments/<int:pk>/autosave/": (CLINICIANS, CLINICIANS),
    "assessments/<int:pk>/amend/": (CLINICIANS, CLINICIANS),
    "assessments/<int:pk>/versions/<int:number>/": (CLINICIANS, CLINICIANS),
    # programs and the exercise library: clinical
    "programs/exercises/": (CLINICIANS, CLINICIANS),
    "programs/exercises/new/": (CLINICIANS, CLINICIANS),
    "programs/exercises/<int:pk>/": (CLINICIANS, CLINICIANS),
    "programs/exercises/<int:pk>/edit/": (CLINICIANS, CLINICIANS),
    "programs/exercises/<int:pk>/archive/": (CLINICIANS, CLINICIANS),
    "programs/exercises/<int:pk>/pictures/": (CLINICIANS, CLINICIANS),
    "programs/exercises/<int:pk>/pictures/<int:picture_pk>/remove/": (CLINICIANS, CLINICIANS),
    "programs/new/": (CLINICIANS, CLINICIANS),
    "programs/patient/<int:patient_pk>/panel/": (CLINICIANS, CLINICIANS),
    "programs/patient/<int:patient_pk>/summary/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/edit/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/pdf/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/add/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/template/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/<int:item_pk>/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/<int:item_pk>/remove/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/<int:item_pk>/move/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/items/<int:item_pk>/swap/<int:exercise_pk>/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/activate/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/archive/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/save-template/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/links/revoke/": (CLINICIANS, CLINICIANS),
    "programs/<int:pk>/links/send/": (CLINICIANS, CLINICIANS),
    # the patient's private plan link (capability link: the token is the permission)
    "plan/<str:token>/": (ANYONE, ANYONE),
    "plan/<str:token>/pdf/": (ANYONE, ANYONE),
    # online booking and the patient's manage link
    "book/": (ANYONE, ANYONE),
    "book/details/": (ANYONE, ANYONE),
    "book/manage/<str:token>/": (ANYONE, ANYONE),
    "book/manage/<str:token>/cancel/": (ANYONE, ANYONE),
    "book/manage/<str:token>/reschedule/": (ANYONE, ANYONE),
    "book/manage/<str:token>/calendar.ics": (ANYONE, ANYONE),
    "book/waiting-list/<str:token>/": (ANYONE, ANYONE),
    # the calendar (physios change only their own diary: checked per appointment, tests/bookings/test_own_diary.py)
    "appointments/patients/<int:pk>/panel/": (STAFF, STAFF),
    "calendar/": (STAFF, STAFF),
    "calendar/changes/": (STAFF, STAFF),
    # the home page's "today" panels: the front desk's day has no clinical content, the physio's day does
    "today/front-desk/": (DESK_AND_ADMIN, DESK_AND_ADMIN),
    "today/my-day/": (CLINICIANS, CLINICIANS),
    "calendar/week/<int:practitioner_id>/": (STAFF, STAFF),
    "calendar/book/": (STAFF, STAFF),
    "calendar/patient-search/": (STAFF, STAFF),
    "calendar/appointments/<int:pk>/": (STAFF, STAFF),
    "calendar/appointments/<int:pk>/move/": (STAFF, STAFF),
    "calendar/appointments/<int:pk>/cancel/": (STAFF, STAFF),
    "calendar/appointments/<int:pk>/status/": (STAFF, STAFF),
    "calendar/day-list/<int:practitioner_id>/": (STAFF, STAFF),
    "calendar/schedules/": (STAFF, STAFF),
    "calendar/schedules/<int:practitioner_id>/": (STAFF, STAFF),
    "calendar/schedules/<int:practitioner_id>/time-off/": (STAFF, STAFF),
    "calendar/schedules/time-off/<int:pk>/delete/": (STAFF, STAFF),
    "calendar/schedules/<int:practitioner_id>/extra-hours/": (STAFF, STAFF),
    "calendar/schedules/extra-hours/<int:pk>/delete/": (STAFF, STAFF),
    "calendar/schedules/<int:practitioner_id>/feed/": (STAFF, STAFF),
    "calendar/types/": (STAFF, STAFF),
    "calendar/types/new/": (STAFF, DESK_AND_ADMIN),
    "calendar/types/<int:pk>/": (STAFF, DESK_AND_ADMIN),
    "calendar/waiting-list/": (STAFF, STAFF),
    "calendar/waiting-list/<int:pk>/remove/": (STAFF, STAFF),
    "calendar/feed/<str:token>.ics": (ANYONE, ANYONE),
    # messages to patients (no clinical content)
    "outbox/": (STAFF, STAFF),
    "outbox/<int:pk>/": (STAFF, STAFF),
    "outbox/<int:pk>/retry/": (STAFF, STAFF),
    "outbox/patients/<int:pk>/panel/": (STAFF, STAFF),
    # the practice
    "audit/": (ADMINS, ADMINS),
    "settings/": (ADMINS, ADMINS),
    "healthz": (ANYONE, ANYONE),
    "metrics": (ADMINS, ADMINS),  # and a Prometheus scraper with METRICS_TOKEN (tests/clinic/test_metrics_and_logs.py)
    # setup and sign-in security: clinic admins only
    "setup/": (ADMINS, ADMINS),
    "setup/staff/": (ADMINS, ADMINS),
    "setup/staff/<int:pk>/": (ADMINS, ADMINS),
    "setup/staff/<int:pk>/active/": (ADMINS, ADMINS),
    "setup/staff/<int:pk>/invite/": (ADMINS, ADMINS),
    "setup/practitioners/": (ADMINS, ADMINS),
    "setup/practitioners/new/": (ADMINS, ADMINS),
    "setup/practitioners/<int:pk>/": (ADMINS, ADMINS),
    "setup/rooms-and-equipment/": (ADMINS, ADMINS),
    "security/": (ADMINS, ADMINS),
    "security/unlock/": (ADMINS, ADMINS),
    "security/staff/<int:pk>/reset-two-factor/": (ADMINS, ADMINS),
    "security/tokens/revoke/": (ADMINS, ADMINS),
    # API
    "api/v1/auth/token/": (ANYONE, ANYONE),
    "api/v1/public/appointment-types/": (ANYONE, ANYONE),
    "api/v1/public/practitioners/": (ANYONE, ANYONE),
    "api/v1/public/availability/": (ANYONE, ANYONE),
    "api/v1/public/bookings/": (ANYONE, ANYONE),
    "api/v1/public/bookings/<str:token>/": (ANYONE, ANYONE),
    "api/v1/public/bookings/<str:token>/cancel/": (ANYONE, ANYONE),
    "api/v1/public/bookings/<str:token>/reschedule/": (ANYONE, ANYONE),
    "api/v1/patients/": (STAFF, STAFF),
    "api/v1/patients/<str:pk>/": (STAFF, STAFF),
    "api/v1/patients/<str:pk>/archive/": (STAFF, STAFF),
    "api/v1/appointments/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/cancel/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/check-in/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/complete/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/move/": (STAFF, STAFF),
    "api/v1/appointments/<str:pk>/no-show/": (STAFF, STAFF),
    "api/v1/assessments/": (CLINICIANS, CLINICIANS),
    "api/v1/assessments/<str:pk>/": (CLINICIANS, CLINICIANS),
    "api/v1/assessments/<str:pk>/amend/": (CLINICIANS, CLINICIANS),
    "api/v1/assessments/<str:pk>/sign/": (CLINICIANS, CLINICIANS),
    "api/v1/assessments/<str:pk>/versions/": (CLINICIANS, CLINICIANS),
    "api/v1/exercises/": (CLINICIANS, CLINICIANS),
    "api/v1/exercises/<str:pk>/": (CLINICIANS, CLINICIANS),
    "api/v1/exercises/<str:pk>/archive/": (CLINICIANS, CLINICIANS),
    "api/v1/exercises/<str:pk>/pictures/": (CLINICIANS, CLINICIANS),
    "api/v1/program-templates/": (CLINICIANS, CLINICIANS),
    "api/v1/program-templates/<str:pk>/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/<str:pk>/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/<str:pk>/activate/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/<str:pk>/archive/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/<str:pk>/pdf/": (CLINICIANS, CLINICIANS),
    "api/v1/programs/<str:pk>/swap/": (CLINICIANS, CLINICIANS),
    # the API's description: staff only in production (the suite runs with DEBUG off); anyone under `make run`
    "api/schema/": (STAFF, STAFF),
    "api/docs/": (STAFF, STAFF),
    "api/redoc/": (STAFF, STAFF),
}

# POST last: a POST may sign the client out (accounts/logout/); the test signs it in again.
METHODS = ("get", "patch", "delete", "post")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _routes() -> list[str]:
    return [route for route, _callback in _walk(get_resolver().url_patterns) if not route.startswith(ADMIN_PREFIX)]


def _fill(route: str) -> str:
    def sub(match):
        conv = match.group(1) or "str"
        return {"int": "999999", "uuid": str(uuid.uuid4()), "path": "x/y", "slug": "no-such-thing"}.get(conv, "nothing")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def test_every_route_has_a_row():
    routes = _routes()
    assert len(routes) > 100
    missing = [r for r in routes if r not in ROUTES]
    gone = [r for r in ROUTES if r not in routes]
    assert not missing, "add a row to ROUTES for: " + ", ".join(missing)
    assert not gone, "these rows name routes that no longer exist: " + ", ".join(gone)


def _capabilities(callback) -> set[str]:
    if hasattr(callback, "medius_capability"):
        return {callback.medius_capability}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    cap = getattr(view_class, "capability", None)
    if isinstance(cap, dict):
        return set(cap.values())
    return {cap} if cap else set()


def test_every_endpoint_declares_a_known_capability():
    """Fail closed: a view that declares no capability is refused to everyone, so it must declare one."""
    wrong = []
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(ADMIN_PREFIX):
            continue
        caps = _capabilities(callback)
        if not caps or not caps <= set(MATRIX):
            wrong.append(f"{route}: {caps or 'no capability'}")
    assert not wrong, "\n".join(wrong)


def _denied(persona: str, response) -> bool:
    """The permission check said no: 403, or for anonymous 401 or the sign-in page."""
    if response.status_code == 403:
        return True
    if persona == "anonymous":
        if response.status_code == 401:
            return True
        # The sign-in page with ?next= (signing out also lands on the sign-in page, without it).
        return response.status_code == 302 and "/accounts/login/?next=" in response.get("Location", "")
    return False


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_what_the_table_says(persona, request, db):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client()
    wrong = []
    for route, (readers, writers) in ROUTES.items():
        url = _fill(route)
        for method in METHODS:
            if user is not None and "_auth_user_id" not in client.session:
                client.force_login(user)  # again after accounts/logout/
            allowed = persona in (readers if method == "get" else writers)
            response = getattr(client, method)(url, HTTP_ACCEPT="text/html")
            said = f"{method.upper()} {url}: {persona} got {response.status_code}"
            if response.status_code >= 500:
                wrong.append(said)
            elif allowed and _denied(persona, response):
                wrong.append(f"{said}, the table allows")
            # 405: the route does not take this method at all, so nothing was done either.
            elif not allowed and not (_denied(persona, response) or response.status_code == 405):
                wrong.append(f"{said}, the table refuses")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("anonymous", False), ("outsider", False), ("front_desk", False), ("physio", False), ("admin_user", False)],
)
def test_only_superusers_reach_the_admin_site(persona, allowed, persona_client):
    # Clinic admins run the practice from the app's Setup pages (audited, role-checked); /admin/ is the operator's.
    response = persona_client(persona).get("/admin/")
    assert (response.status_code == 200) is allowed


def test_a_superuser_reaches_the_admin_site(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="ops@clinic.test", is_superuser=True, is_staff=True))
    assert client.get("/admin/").status_code == 200
