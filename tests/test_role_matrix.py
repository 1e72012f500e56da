"""Every route of the app's URL map, for the anonymous public, an official, an
inspector and an admin: who gets in, who is sent to the login page, who gets 403.
A new route without an entry here fails the test, so access is always decided."""

from __future__ import annotations

import pytest
from flask import Flask
from helpers import csrf_token, login
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import ensure_demo_accounts

EVERYONE = {None, "official", "inspector", "admin"}
OFFICIALS = {"official", "admin"}
INSPECTORS = {"inspector", "admin"}
STAFF = {"official", "inspector", "admin"}
ADMINS = {"admin"}

# endpoint -> roles that may use it (None: the anonymous public).
ACCESS: dict[str, set[str | None]] = {
    "home.index": EVERYONE, "health.healthz": EVERYONE, "static": EVERYONE,
    "auth.login": EVERYONE, "auth.logout": EVERYONE,
    "public.done": EVERYONE, "public.open_data": EVERYONE, "public.table_csv": EVERYONE,
    "public.areas_geojson": EVERYONE, "public.layer_data": EVERYONE,
    "track.track_view": EVERYONE,
    "officials.complaint_map": OFFICIALS, "complaints.list_view": OFFICIALS,
    "complaints.detail": OFFICIALS, "complaints.export_csv": OFFICIALS,
    "complaints.export_xlsx": OFFICIALS, "complaints.assign": OFFICIALS,
    "complaints.change_status": OFFICIALS, "dashboard.index": OFFICIALS,
    "microdistricts.show": OFFICIALS, "hotspots.index": OFFICIALS,
    "hotspots.export_csv": OFFICIALS, "hotspots.export_geojson": OFFICIALS,
    "inspector.inspector_map": INSPECTORS, "inspector.search": INSPECTORS,
    "inspector.violations": INSPECTORS, "inspector.review_violation": INSPECTORS,
    "inspector.export": INSPECTORS, "inspector.parcel_view": INSPECTORS,
    "inspector.run_checks_view": INSPECTORS,
    "api.search": STAFF, "api.layer_data": OFFICIALS,  # with an officials' layer
    "admin.index": ADMINS, "admin.add_department_view": ADMINS,
    "admin.rename_department_view": ADMINS, "admin.add_user_view": ADMINS,
    "admin.update_user_view": ADMINS,
    "imports.index": STAFF, "imports.upload": OFFICIALS, "imports.upload_layer": INSPECTORS,
    "imports.show": STAFF, "imports.rejects": OFFICIALS, "imports.stop": OFFICIALS,
}
ROLES = (None, "official", "inspector", "admin")
PASSWORDS = {"official": "official-demo", "inspector": "inspector-demo", "admin": "admin-demo"}


@pytest.fixture(scope="module")
def matrix_app(demo_db_url: str, demo_engine: Engine) -> tuple[Flask, dict[str, str]]:
    with demo_engine.begin() as conn:
        ensure_demo_accounts(conn)
        ticket = conn.execute(text("SELECT ticket FROM complaints LIMIT 1")).scalar_one()
        cadastral = conn.execute(text("SELECT cadastral_number FROM parcels LIMIT 1")).scalar()
        md = conn.execute(text("SELECT min(id) FROM microdistricts")).scalar()
    app = create_app({"database_url": demo_db_url})
    args = {"ticket": ticket, "cadastral_number": cadastral, "microdistrict_id": str(md),
            "layer_id": "public_microdistricts", "name": "microdistricts", "fmt": "csv",
            "filename": "css/app.css", "violation_id": "1", "user_id": "1",
            "department_id": "1", "batch_id": "1"}
    return app, args


def test_every_route_has_an_access_rule(matrix_app) -> None:
    app, _ = matrix_app
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) == set(), "decide who may use the new routes"


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(matrix_app, role: str | None) -> None:
    app, args = matrix_app
    client = app.test_client()
    if role:
        assert login(client, role, PASSWORDS[role]).status_code == 302
    token = csrf_token(client.get("/login").get_data(as_text=True))
    layers = {"api.layer_data": "complaints_heat", "public.layer_data": "public_microdistricts"}
    wrong = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.logout", "auth.login"):
            continue
        values = {**args, "layer_id": layers.get(rule.endpoint, "")}
        url = rule.rule
        for name in rule.arguments:
            for form in (f"<{name}>", f"<int:{name}>", f"<path:{name}>"):
                url = url.replace(form, values[name])
        method = "GET" if "GET" in rule.methods else "POST"
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        allowed = role in ACCESS[rule.endpoint]
        if allowed:
            ok = response.status_code not in (401, 403) and not (
                response.status_code == 302 and "/login" in response.headers.get("Location", ""))
        elif role is None:
            ok = (response.status_code == 302 and "/login" in response.headers["Location"]) \
                or response.status_code == 401
        else:
            ok = response.status_code == 403
        if not ok or response.status_code >= 500:
            wrong.append((method, url, response.status_code))
    assert wrong == []
