"""Property test: whatever a client sends to any form or API parameter, no answer is a 5xx.

Routes come from the URL map and form fields from the pages themselves (every ``name=`` a GET
of the same address renders), so a new page or field is fuzzed the day it is added. Values mix
plain text with what broke the app before: control characters, Unicode digits, ids beyond
2^63, far dates, ``sNaN``, long lists.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from werkzeug.routing import IntegerConverter

from tests.factories import add_member
from volunteer.demo.city import Scale, load_demo_data
from volunteer.models import Opportunity, Organisation, Role, Shift

ODD_VALUES = [
    "",
    "0",
    "-1",
    "²",
    "١٢",
    "9223372036854775808",
    "9" * 40,
    "1e309",
    "sNaN",
    "NaN",
    "-Infinity",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "25:61",
    "\x00",
    "a\x00b",
    "\u202e",
    "<script>alert(1)</script>",
    "%",
    "x" * 3000,
]
QUERY_NAMES = [
    "q", "page", "seite", "district", "skill", "cause", "radius", "from", "to", "sort",
    "fits", "kind", "minors", "step_free", "next", "lang", "year", "status", "filter",
]  # fmt: skip
# These would end the fuzzing session or the association role it fuzzes with.
SKIP_POST = {
    "accounts.logout",
    "volunteers.delete_account",
    "organisations.leave",
    "organisations.remove_member",
    "organisations.transfer_admin",
    "organisations.set_role",
}
odd = st.sampled_from(ODD_VALUES)
# Mostly the values that broke the app before, some arbitrary text and numbers.
value = st.one_of(odd, odd, odd, st.text(max_size=40), st.integers(-(2**70), 2**70).map(str))
values = st.one_of(value.map(lambda v: [v]), st.lists(value, min_size=2, max_size=30))
path_int = st.sampled_from(["9223372036854775808", "2147483648", "99999999999999999999", "0"])
NAME = re.compile(r'name="([^"]+)"')


@pytest.fixture
def world(session, now, make_user):
    load_demo_data(session, now=now, scale=Scale(20, 20, 20), progress=False)
    session.commit()
    org = session.exec(select(Organisation).where(Organisation.verified_at.is_not(None))).first()
    need = session.exec(select(Opportunity).where(Opportunity.organisation_id == org.id)).first()
    shift = session.exec(select(Shift).where(Shift.opportunity_id == need.id)).first()
    admin = make_user(role=Role.VOLUNTEER)
    add_member(session, org, admin)
    known = {
        "org_id": str(org.id),
        "opportunity_id": str(need.id),
        "need_id": str(need.id),
        "shift_id": str(shift.id) if shift else "1",
    }
    return admin, make_user(role=Role.COORDINATOR), known


def _routes(app, known):
    """(endpoint, method, rule, path arguments) for every route this test can fill."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        args = {}
        for name, conv in rule._converters.items():
            kind = type(conv).__name__
            if kind == "AnyConverter":
                args[name] = min(conv.items)
            else:
                numeric = isinstance(conv, IntegerConverter)
            args[name] = known.get(name, "1" if numeric else "x")
        try:
            rule.build(args, append_unknown=False)
        except Exception:  # a converter this test cannot fill
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            if not (method == "POST" and rule.endpoint in SKIP_POST):
                yield rule.endpoint, method, rule, tuple(sorted(args.items()))


@pytest.mark.parametrize("role", ["association", "coordinator"])
def test_no_form_or_parameter_gives_a_server_error(app, client, login, world, role):
    admin, coordinator, known = world
    user = admin if role == "association" else coordinator
    routes = sorted(_routes(app, known), key=lambda r: (r[0], r[1], r[2].rule))
    fields: dict[str, list[str]] = {}
    login(user)
    for _endpoint, method, rule, args in routes:
        url = rule.build(dict(args), append_unknown=False)[1]
        if method == "GET" and url not in fields:
            page = client.get(url)
            fields[url] = sorted(set(NAME.findall(page.get_data(as_text=True))) - {"csrf_token"})
    all_fields = sorted({f for names in fields.values() for f in names})
    failures: list[str] = []

    def send(method: str, url: str, payload: dict, query: dict) -> None:
        login(user)
        if method == "GET":
            response = client.get(url, query_string={**payload, **query})
        else:
            response = client.post(url, data=payload)
        if response.status_code >= 500:
            failures.append(f"{method} {url} {payload!r} {query!r} -> {response.status_code}")

    # A covering pass first, the same on every run: every route once with each of its fields
    # (and the query names) set to the odd values in turn, and once more with an odd id in each
    # integer path argument. Random draws alone would leave some routes untried.
    for i, (_endpoint, method, rule, args) in enumerate(routes):
        url = rule.build(dict(args), append_unknown=False)[1]
        names = fields.get(url) or all_fields
        pick = [ODD_VALUES[(i + j) % len(ODD_VALUES)] for j in range(len(names) + 1)]
        query = {n: ODD_VALUES[(i + j) % len(ODD_VALUES)] for j, n in enumerate(QUERY_NAMES)}
        send(method, url, dict(zip(names, pick, strict=False)), query if method == "GET" else {})
        for j, (name, conv) in enumerate(rule._converters.items()):
            if isinstance(conv, IntegerConverter):
                odd_id = ["9223372036854775808", "2147483648", "0"][(i + j) % 3]
                bad = rule.build({**dict(args), name: odd_id}, append_unknown=False)[1]
                send(method, bad, {}, {})

    # Then arbitrary mixes (lists, text, huge numbers), drawn the same way on every run.
    @settings(
        max_examples=120,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(route=st.sampled_from(routes), data=st.data())
    def probe(route, data):
        _endpoint, method, rule, args = route
        known_args = dict(args)
        url = rule.build(known_args, append_unknown=False)[1]
        names = fields.get(url) or all_fields
        if data.draw(st.integers(0, 5)) == 0:  # sometimes an odd id in the path instead
            ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
            if ints:
                known_args[data.draw(st.sampled_from(ints))] = data.draw(path_int)
                url = rule.build(known_args, append_unknown=False)[1]
        chosen = data.draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        payload = {name: data.draw(values) for name in chosen}
        query = {n: data.draw(values) for n in data.draw(st.lists(st.sampled_from(QUERY_NAMES)))}
        send(method, url, payload, query)

    probe()
    assert not failures, failures[:5]
