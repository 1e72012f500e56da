"""`/imports`: a complaints export or a layer uploaded from the browser lands as the
command line's import does, refused files say why with 400, and each import has a
page with its summary and its refused rows (staff only). Pages are in Russian, the
app's default language."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GEOAPP, csrf_token, login, run_geoapp
from ingest_fixtures import database_with_layers
from shapely.geometry import box, mapping
from sqlalchemy import Engine, text

from geoapp import create_app
from geoapp.accounts import ensure_demo_accounts
from geoapp.errors import InputError
from geoapp.ingest.layers import import_layer

imports_db = database_with_layers("imports_db")

HEADER = "Номер обращения;Дата обращения;Источник;Текст обращения;Адрес;ФИО\n"
ROWS = ("W-1;12.01.2024 09:30;109;Нет отопления, батареи холодные;15 мкр, д. 7;Иванов Иван\n"
        "W-2;31.02.2024;109;Нет воды;15 мкр, д. 8;Петров Пётр\n"
        "W-3;12.01.2024 10:00;;Прошу разобраться;мкр. Жайлау, 12;Сидоров\n")


@pytest.fixture(scope="module")
def imports_app(imports_db, tmp_path_factory) -> Iterator[Flask]:
    url, engine = imports_db
    with engine.begin() as conn:
        ensure_demo_accounts(conn)
    yield create_app({"database_url": url, "data_dir": tmp_path_factory.mktemp("data"),
                      "max_upload_mb": 1, "TESTING": True})


@pytest.fixture
def official(imports_app: Flask, imports_db) -> Iterator[FlaskClient]:
    _, engine = imports_db
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE complaints, import_batches CASCADE"))
    client = imports_app.test_client()
    assert login(client, "official", "official-demo").status_code == 302
    yield client


def _upload(client: FlaskClient, content: bytes, name: str = "export.csv",
            source: str = "") -> object:
    token = csrf_token(client.get("/imports").get_data(as_text=True))
    return client.post("/imports", data={"csrf_token": token, "source": source,
                                         "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _finished(client: FlaskClient, response: object, timeout: float = 60.0) -> str:
    """The page of the import `response` started, once the import is over: a
    complaint import runs in a thread of its own, its page saying `running` until
    then."""
    url = response.headers["Location"]  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url).get_data(as_text=True)
        if 'data-status="running"' not in page:
            return page
        assert time.monotonic() < deadline, f"{url} still running after {timeout} s"
        time.sleep(0.1)


def _batches(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT source_file, status, imported_by FROM import_batches ORDER BY id"))]


def test_an_uploaded_export_lands_and_its_page_says_what_it_did(official: FlaskClient,
                                                                imports_db) -> None:
    url, engine = imports_db
    response = _upload(official, (HEADER + ROWS).encode("cp1251"), "Обращения январь.csv",
                       source="eotinish")
    assert response.status_code == 303, response.get_data(as_text=True)
    page_url = response.headers["Location"]
    page = _finished(official, response)
    assert "Обращения январь.csv" in page
    for key, count in (("read", 3), ("inserted", 2), ("rejected", 1)):
        assert f'data-count="{key}">{count}<' in page, key
    assert 'data-reason="bad_date"' in page and 'data-precision="building"' in page
    assert _batches(engine) == [("Обращения январь.csv", "done", "official")]
    with engine.connect() as conn:
        sources = dict(conn.execute(text("SELECT external_id, source FROM complaints")).all())
    assert sources == {"W-1": "109", "W-3": "eotinish"}

    rejects = official.get(f"{page_url}/rejects.csv")
    assert rejects.status_code == 200
    assert rejects.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(rejects.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    # In the page's language; the file kept is the command line's, in English.
    assert rows[0][:3] == ["строка", "причина", "Номер обращения"]
    assert [row[0] for row in rows[1:]] == ["3"] and rows[1][2:4] == ["W-2", "31.02.2024"]
    assert rows[1][1] == ("дата поступления (received_at): дату '31.02.2024' не удаётся "
                          "прочитать")
    english = official.get(f"{page_url}/rejects.csv?lang=en").get_data(as_text=True)
    assert english.startswith("\ufeffline;reason;Номер обращения")
    assert "received_at: unparseable date '31.02.2024'" in english
    official.get("/?lang=ru")

    listed = official.get("/imports").get_data(as_text=True)
    assert "Обращения январь.csv" in listed and ">official<" in listed
    history = run_geoapp("import", "history", "--limit", "1", env={"DATABASE_URL": url})
    assert "complaints eotinish Обращения январь.csv by official: done" in history.stdout

    again = _upload(official, (HEADER + ROWS).encode("cp1251"), "Обращения январь.csv",
                    source="eotinish")
    assert 'data-count="unchanged">2<' in _finished(official, again)

    # The rejects file as downloaded, its row fixed, imports again as it is.
    rows[1][3] = "28.02.2024"
    fixed = io.StringIO()
    csv.writer(fixed, delimiter=";").writerows(rows)
    page = _finished(official, _upload(official, fixed.getvalue().encode("utf-8-sig"),
                                       "отклонённые.csv"))
    assert 'data-count="inserted">1<' in page and 'data-count="rejected">0<' in page
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM complaints WHERE external_id = 'W-2'")
                            ).scalar() == "Нет воды"


def test_a_zipped_export_uploads_as_it_is(official: FlaskClient, imports_db) -> None:
    _, engine = imports_db
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export.csv", (HEADER + ROWS).encode())
    response = _upload(official, buffer.getvalue(), "Выгрузка.zip", source="109")
    assert response.status_code == 303, response.get_data(as_text=True)
    assert 'data-count="inserted">2<' in _finished(official, response)
    assert _batches(engine) == [("Выгрузка.zip/export.csv", "done", "official")]


def test_a_workbook_of_several_sheets_names_the_one_to_import(official: FlaskClient,
                                                              tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for title in ("Январь", "Февраль"):
        sheet = book.create_sheet(title)
        sheet.append(["Номер обращения", "Дата обращения", "Текст обращения"])
        sheet.append([f"{title}-1", "12.01.2024", "Нет отопления"])
    book.remove(book.active)
    book.save(tmp_path / "two.xlsx")
    content = (tmp_path / "two.xlsx").read_bytes()
    refused = _upload(official, content, "two.xlsx", source="109")
    assert refused.status_code == 400
    # In the page's language, and in its terms: the form's field, not --sheet.
    assert ("листов с обращениями: 2 (Январь, Февраль): импортируйте каждый, указав его в "
            "поле «Лист»") in refused.get_data(as_text=True)
    token = csrf_token(official.get("/imports").get_data(as_text=True))
    landed = official.post("/imports", data={
        "csrf_token": token, "source": "109", "sheet": "Февраль",
        "file": (io.BytesIO(content), "two.xlsx")}, content_type="multipart/form-data")
    assert landed.status_code == 303
    assert 'data-count="inserted">1<' in _finished(official, landed)


def test_a_labels_mapping_comes_with_the_export(official: FlaskClient, imports_db) -> None:
    _, engine = imports_db
    export = ("Номер обращения;Дата обращения;Категория;Текст обращения;Статус\n"
              "M-1;12.01.2024;Кот. 14 / тепло;Прошу принять меры;Снято с контроля\n")
    labels = "Кот. 14 / тепло;housing_utilities.heating\nСнято с контроля;resolved\n"
    token = csrf_token(official.get("/imports").get_data(as_text=True))
    response = official.post("/imports", data={  # one name for both, as people save them
        "csrf_token": token, "source": "109",
        "file": (io.BytesIO(export.encode()), "rejects.csv"),
        "labels": (io.BytesIO(labels.encode()), "rejects.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    _finished(official, response)
    with engine.connect() as conn:
        landed = conn.execute(text(
            "SELECT category, status FROM complaints WHERE external_id = 'M-1'")).one()
    assert tuple(landed) == ("housing_utilities.heating", "resolved")
    token = csrf_token(official.get("/imports").get_data(as_text=True))
    refused = official.post("/imports", data={
        "csrf_token": token, "file": (io.BytesIO(export.encode()), "export.csv"),
        "labels": (io.BytesIO(b"x;warmth\n"), "labels.csv")},
        content_type="multipart/form-data")
    assert refused.status_code == 400
    assert ("labels.csv, строка 1: метка 'x' сопоставлена с 'warmth', а это не код "
            "категории") in html.unescape(refused.get_data(as_text=True))


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"", "empty.csv", "Файл empty.csv пуст"),
    ("Номер обращения;Адрес\n1;x\n".encode(), "cols.csv",
     "Нет обязательных столбцов: received_at, text"),
    (b"PK\x03\x04 not really", "photo.jpg", "photo.jpg — не выгрузка обращений"),
    (b"%PDF-1.4", "scan.pdf", "scan.pdf — не выгрузка обращений"),
    (b"%PDF-1.4", "scan.csv", "scan.csv — документ PDF, а не текст"),  # by its bytes
])
def test_a_refused_file_says_why_and_lands_nothing(official: FlaskClient, imports_db,
                                                   content: bytes, name: str,
                                                   words: str) -> None:
    _, engine = imports_db
    response = _upload(official, content, name)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert _batches(engine) == []


@pytest.mark.parametrize(("language", "words"), [
    ("kk", "Міндетті бағандар жоқ: received_at, text"),
    ("en", "missing required columns: received_at, text"),  # as the command line says
])
def test_a_refusal_is_said_in_the_pages_language(official: FlaskClient, language: str,
                                                 words: str) -> None:
    official.get(f"/imports?lang={language}")
    response = _upload(official, "Номер обращения;Адрес\n1;x\n".encode(), "cols.csv")
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    official.get("/imports?lang=ru")


def test_no_file_chosen(official: FlaskClient) -> None:
    token = csrf_token(official.get("/imports").get_data(as_text=True))
    response = official.post("/imports", data={"csrf_token": token},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Выберите файл для импорта" in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_with_413(official: FlaskClient, imports_db) -> None:
    _, engine = imports_db
    big = (HEADER + ROWS * 20_000).encode()  # about 2 MB, the app takes 1 MB
    response = _upload(official, big)
    assert response.status_code == 413
    assert "Файл больше 1 МБ" in response.get_data(as_text=True)
    assert _batches(engine) == []


@contextmanager
def complaints_held(engine: Engine) -> Iterator[None]:
    """Hold every write to `complaints` (as a long import or a slow disk would) until
    the block ends; reads go on."""
    with engine.connect() as conn, conn.begin():
        conn.execute(text("LOCK TABLE complaints IN EXCLUSIVE MODE"))
        yield


def test_the_upload_returns_while_the_import_runs_and_its_page_follows_it(
        official: FlaskClient, imports_db) -> None:
    _, engine = imports_db
    with complaints_held(engine):
        response = _upload(official, (HEADER + ROWS).encode(), "большая выгрузка.csv",
                           source="109")
        # Answered although no row can land yet: the import runs in a thread.
        assert response.status_code == 303, response.get_data(as_text=True)
        page = official.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-status="running"' in page and "выполняется" in page
        assert '<meta http-equiv="refresh" content="2">' in page
        assert "строк загружено" in page  # its progress
        assert 'id="rejects-link"' not in page
        listed = official.get("/imports").get_data(as_text=True)
        assert "большая выгрузка.csv" in listed and "выполняется" in listed
        assert _batches(engine) == [("большая выгрузка.csv", "running", "official")]
    page = _finished(official, response)
    assert 'data-status="done"' in page and "http-equiv" not in page
    assert 'data-count="inserted">2<' in page and 'id="rejects-link"' in page
    assert _batches(engine) == [("большая выгрузка.csv", "done", "official")]


def test_imports_beyond_two_at_once_wait_for_one_to_end(official: FlaskClient,
                                                        imports_db) -> None:
    _, engine = imports_db
    for thread in threading.enumerate():  # an earlier test's import tidying up
        if thread.name == "geoapp-import":
            thread.join(timeout=30)
    with complaints_held(engine):
        first = _upload(official, (HEADER + ROWS).encode(), "первая.csv", source="109")
        second = _upload(official, (HEADER + ROWS.replace("W-", "V-")).encode(),
                         "вторая.csv", source="109")
        assert (first.status_code, second.status_code) == (303, 303)
        third = _upload(official, (HEADER + ROWS).encode(), "третья.csv", source="109")
        assert third.status_code == 503
        assert "На этом сервере уже выполняются импорты: 2" in third.get_data(as_text=True)
    for response in (first, second):
        assert 'data-status="done"' in _finished(official, response)
    assert _upload(official, (HEADER + ROWS).encode(), "третья.csv",
                   source="109").status_code == 303


def test_a_running_import_stops_at_the_press_of_a_button(official: FlaskClient,
                                                          imports_db) -> None:
    _, engine = imports_db
    with complaints_held(engine):
        response = _upload(official, (HEADER + ROWS).encode(), "не тот файл.csv")
        page = official.get(response.headers["Location"]).get_data(as_text=True)
        assert 'id="stop-import"' in page
        stop_url = response.headers["Location"] + "/stop"
        assert official.post(stop_url, data={"csrf_token": csrf_token(page)}).status_code == 303
        # The batch being written waits on the lock: it is cancelled, not waited for.
        page = _finished(official, response, timeout=10)
    assert 'data-status="interrupted"' in page and 'data-count="inserted">0<' in page
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar_one() == 0
    assert 'id="stop-import"' not in page
    again = official.post(stop_url, data={"csrf_token": csrf_token(page)})
    assert again.status_code == 409 and "не выполняется" in again.get_data(as_text=True)


def test_an_import_whose_process_died_shows_as_stopped(official: FlaskClient, imports_db,
                                                       tmp_path: Path) -> None:
    url, engine = imports_db
    export = tmp_path / "ночная выгрузка.csv"
    export.write_text(HEADER + ROWS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with complaints_held(engine):
        process = subprocess.Popen([GEOAPP, "import", "complaints", str(export)],
                                   env={**env, "DATABASE_URL": url},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not _batches(engine):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
            history = run_geoapp("import", "history", "--limit", "1",
                                 env={"DATABASE_URL": url})
            assert "ночная выгрузка.csv: running" in history.stdout
        finally:
            process.kill()  # as a power cut would: no chance to record anything
            process.wait()
        deadline = time.monotonic() + 30
        while "stopped" not in (history := run_geoapp(
                "import", "history", "--limit", "1", env={"DATABASE_URL": url})).stdout:
            assert time.monotonic() < deadline, history.stdout
            time.sleep(0.2)
    with engine.connect() as conn:
        batch_id = conn.execute(text("SELECT max(id) FROM import_batches")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar_one() == 0
    page = official.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert 'data-status="stopped"' in page and 'id="import-stopped"' in page
    assert "http-equiv" not in page  # nothing to follow
    assert "записано обращений: 0" in page


def test_officials_import_complaints_and_inspectors_layers(imports_app: Flask) -> None:
    anonymous = imports_app.test_client()
    assert anonymous.get("/imports").status_code == 302
    inspector = imports_app.test_client()
    assert login(inspector, "inspector", "inspector-demo").status_code == 302
    page = inspector.get("/imports").get_data(as_text=True)
    assert 'id="layer-form"' in page and 'id="import-form"' not in page
    token = csrf_token(page)
    assert inspector.post("/imports", data={"csrf_token": token}).status_code == 403
    assert inspector.get("/imports/1/rejects.csv").status_code == 403
    official = imports_app.test_client()
    assert login(official, "official", "official-demo").status_code == 302
    page = official.get("/imports").get_data(as_text=True)
    assert 'id="import-form"' in page and 'id="layer-form"' not in page
    assert official.post("/imports/layers",
                         data={"csrf_token": csrf_token(page)}).status_code == 403


@pytest.fixture
def inspector(imports_app: Flask, imports_db) -> Iterator[FlaskClient]:
    _, engine = imports_db
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM zones"))
        conn.execute(text("TRUNCATE import_batches CASCADE"))
    client = imports_app.test_client()
    assert login(client, "inspector", "inspector-demo").status_code == 302
    yield client


def _zones_shapefile_without_prj(folder: Path) -> bytes:
    """A zipped shapefile of two zones in UTM 42N (metres), its .prj left out, and a
    third feature with no geometry."""
    frame = gpd.GeoDataFrame(
        {"kind": ["water_protection", "green", "green"],
         "name": ["Водоохранная зона р. Талас", "Сквер Абая", "Без контура"],
         "valid_from": ["01.06.2021", "2022-03-01", "2022-03-01"]},
        geometry=[box(71.370, 42.900, 71.380, 42.906), box(71.385, 42.901, 71.386, 42.902),
                  None], crs=4326).to_crs(32642)
    frame.to_file(folder / "zones.shp", engine="pyogrio")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in folder.glob("zones.*"):
            if part.suffix != ".prj":
                archive.write(part, part.name)
    return buffer.getvalue()


def _upload_layer(client: FlaskClient, content: bytes, name: str, layer: str = "zones",
                  crs: str = "") -> object:
    token = csrf_token(client.get("/imports").get_data(as_text=True))
    return client.post("/imports/layers",
                       data={"csrf_token": token, "layer": layer, "crs": crs,
                             "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_a_rejected_features_reason_is_in_the_pages_language(inspector: FlaskClient,
                                                              imports_db) -> None:
    unclosed = {"type": "Polygon", "coordinates": [[[71.41, 42.90], [71.411, 42.90],
                                                    [71.411, 42.901]]]}
    layer = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry,
         "properties": {"cadastral_number": number, "land_use": "residential",
                        "declared_area_ha": 1.0, "allocated_at": allocated}}
        for geometry, number, allocated in (
            (mapping(box(71.40, 42.90, 71.401, 42.901)), "06:097:009:001", "31.02.2024"),
            (unclosed, "06:097:009:002", "01.02.2024"))]}
    response = _upload_layer(inspector, json.dumps(layer).encode(), "участки.geojson",
                             layer="parcels")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = _finished(inspector, response)
    assert 'data-count="rejected">2<' in page
    assert "allocated_at: дату &#39;31.02.2024&#39; не удаётся прочитать" in page
    assert "кольцо полигона не замкнуто (его последняя точка не совпадает с первой)" in page


def test_a_zone_far_from_the_city_is_a_warning_on_the_page(inspector: FlaskClient) -> None:
    layer = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": mapping(box(42.85, 71.30, 42.86, 71.31)),
        "properties": {"kind": "green", "name": "Сквер", "valid_from": "2020-01-01"}}]}
    response = _upload_layer(inspector, json.dumps(layer).encode(), "зоны.geojson")
    page = _finished(inspector, response)
    assert 'data-count="inserted">1<' in page and 'id="layer-warnings"' in page
    assert ("он лежит далеко за пределами города, около долготы 42.855, широты 71.305: если "
            "поменять долготу и широту местами, он окажется в городе") in page


def test_an_inspector_imports_a_zipped_shapefile_naming_its_crs(inspector: FlaskClient,
                                                                imports_db, tmp_path) -> None:
    _, engine = imports_db
    zipped = _zones_shapefile_without_prj(tmp_path)
    refused = _upload_layer(inspector, zipped, "Зоны.zip")
    assert refused.status_code == 400
    assert ("В Зоны.zip не указана система координат, а координаты — не долгота/широта"
            in refused.get_data(as_text=True))
    assert "в поле «Система координат (EPSG)»" in refused.get_data(as_text=True)
    assert _batches(engine) == []

    response = _upload_layer(inspector, zipped, "Зоны.zip", crs="EPSG:32642")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = _finished(inspector, response)
    for key, count in (("read", 3), ("inserted", 2), ("rejected", 1)):
        assert f'data-count="{key}">{count}<' in page, key
    assert 'id="rejected-features"' in page and "EPSG:32642" in page
    assert "пустая или отсутствующая геометрия" in page  # the reason, translated
    assert 'id="parcel-checks"' in page  # run at once: the register is not left behind
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM check_runs")).scalar_one() >= 1
    # ...and its pages do not say it is (the checks end before the import's batch does)
    register = inspector.get("/inspector/violations").get_data(as_text=True)
    assert "register-checked" in register and "register-behind" not in register
    assert _batches(engine) == [("Зоны.zip", "done", "inspector")]
    with engine.connect() as conn:
        zones = conn.execute(text("""
            SELECT name, round(ST_XMin(geom)::numeric, 3)::float8 FROM zones ORDER BY name
        """)).all()
    assert [tuple(z) for z in zones] == [("Водоохранная зона р. Талас", 71.37),
                                         ("Сквер Абая", 71.385)]
    again = _upload_layer(inspector, zipped, "Зоны.zip", crs="32642")
    page = _finished(inspector, again)
    assert 'data-count="unchanged">2<' in page
    assert 'id="parcel-checks"' not in page  # nothing changed, nothing to check again


def test_a_layer_imports_after_the_upload_returns(inspector: FlaskClient, imports_db,
                                                  tmp_path) -> None:
    _, engine = imports_db
    zipped = _zones_shapefile_without_prj(tmp_path)
    with engine.connect() as conn, conn.begin():
        conn.execute(text("LOCK TABLE zones IN EXCLUSIVE MODE"))  # the write waits
        response = _upload_layer(inspector, zipped, "Зоны.zip", crs="32642")
        assert response.status_code == 303, response.get_data(as_text=True)
        page = inspector.get(response.headers["Location"]).get_data(as_text=True)
        assert 'data-status="running"' in page and "в одной транзакции" in page
        assert _batches(engine) == [("Зоны.zip", "running", "inspector")]
    page = _finished(inspector, response)
    assert 'data-count="inserted">2<' in page and 'id="parcel-checks"' in page


def _read_layers_slowly(monkeypatch: pytest.MonkeyPatch, pause: float) -> None:
    """Reading a layer file takes longer than the upload's request waits for it, as a
    region's register does (the real read, after `pause` seconds)."""
    from geoapp.ingest import layers
    from geoapp.web import import_jobs

    read = layers.read_layer

    def slowly(*args: object, **kwargs: object) -> object:
        time.sleep(pause)
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(layers, "read_layer", slowly)
    monkeypatch.setattr(import_jobs, "LAYER_READ_WAIT_SECONDS", 0.1)


@pytest.fixture
def slow_layer_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    _read_layers_slowly(monkeypatch, 0.5)


def test_a_layer_file_read_longer_than_the_request_waits_goes_to_its_page(
        inspector: FlaskClient, imports_db, tmp_path, slow_layer_reads) -> None:
    _, engine = imports_db
    zipped = _zones_shapefile_without_prj(tmp_path)
    refused = _upload_layer(inspector, zipped, "Зоны.zip")  # no CRS: refused when read
    assert refused.status_code == 303, refused.get_data(as_text=True)
    page = html.unescape(_finished(inspector, refused))
    assert 'data-status="failed"' in page
    assert "В Зоны.zip не указана система координат" in page  # translated, for the form
    assert "в поле «Система координат (EPSG)»" in page
    assert _batches(engine) == [("Зоны.zip", "failed", "inspector")]

    landed = _upload_layer(inspector, zipped, "Зоны.zip", crs="32642")
    assert landed.status_code == 303
    page = _finished(inspector, landed)
    assert 'data-status="done"' in page and 'data-count="inserted">2<' in page
    assert _batches(engine)[1:] == [("Зоны.zip", "done", "inspector")]


def test_a_running_layer_imports_page_says_what_it_is_doing(
        inspector: FlaskClient, imports_db, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A region's register takes minutes: the page says the stage it is at."""
    _read_layers_slowly(monkeypatch, 1.5)
    response = _upload_layer(inspector, _zones_shapefile_without_prj(tmp_path), "Зоны.zip",
                             crs="32642")
    assert response.status_code == 303
    page = inspector.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="running"' in page
    assert 'id="import-stage">Сейчас: чтение файла.<' in page
    assert '<span class="hint" data-stage>чтение файла</span>' in inspector.get(
        "/imports").get_data(as_text=True)
    page = _finished(inspector, response)
    assert 'data-status="done"' in page and 'id="import-stage"' not in page


def test_a_layer_import_that_failed_says_why_and_that_nothing_landed(
        inspector: FlaskClient, imports_db, tmp_path) -> None:
    _, engine = imports_db
    one = tmp_path / "one.geojson"
    one.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": mapping(box(71.30, 42.86, 71.301, 42.861)),
        "properties": {"cadastral_number": "06:097:099:001", "land_use": "ИЖС",
                       "declared_area_ha": "0,1"}}]}), encoding="utf-8")
    with pytest.raises(InputError, match="would cancel"):
        import_layer(engine, "parcels", one, retire_missing=True)
    with engine.connect() as conn:
        batch_id = conn.execute(text("SELECT max(id) FROM import_batches")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM parcels WHERE cadastral_number = "
                                 "'06:097:099:001'")).scalar_one() == 0
    page = html.unescape(inspector.get(f"/imports/{batch_id}").get_data(as_text=True))
    assert 'data-status="failed"' in page
    assert "would cancel" in page and "Из него ничего не загружено" in page


def test_a_layer_import_whose_process_died_shows_as_stopped_with_nothing_landed(
        inspector: FlaskClient, imports_db, tmp_path) -> None:
    url, engine = imports_db
    zipped = tmp_path / "zones.zip"
    zipped.write_bytes(_zones_shapefile_without_prj(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with engine.connect() as conn, conn.begin():
        conn.execute(text("LOCK TABLE zones IN EXCLUSIVE MODE"))
        process = subprocess.Popen(
            [GEOAPP, "import", "layer", "zones", str(zipped), "--crs", "32642"],
            env={**env, "DATABASE_URL": url}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not _batches(engine):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        finally:
            process.kill()
            process.wait()
    with engine.connect() as conn:
        batch_id = conn.execute(text("SELECT max(id) FROM import_batches")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM zones")).scalar_one() == 0
    deadline = time.monotonic() + 30
    while 'data-status="stopped"' not in (
            page := inspector.get(f"/imports/{batch_id}").get_data(as_text=True)):
        assert time.monotonic() < deadline, page
        time.sleep(0.2)
    assert "Из него ничего не загружено" in page


@pytest.mark.parametrize(("form", "words"), [
    ({"layer": "", "name": "zones.geojson"}, "Выберите слой"),
    ({"layer": "roads", "name": "zones.geojson"}, "Такого слоя нет"),
    ({"layer": "zones", "name": "zones.shp"}, "zones.shp — не файл слоя"),
    ({"layer": "zones", "name": "zones.geojson", "crs": "UTM 42"}, "кодом EPSG"),
])
def test_a_refused_layer_upload_says_why(inspector: FlaskClient, imports_db,
                                         form: dict[str, str], words: str) -> None:
    _, engine = imports_db
    response = _upload_layer(inspector, b'{"type": "FeatureCollection", "features": []}',
                             form["name"], layer=form["layer"], crs=form.get("crs", ""))
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert _batches(engine) == []
