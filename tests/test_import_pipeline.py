"""The import's pipeline: places found beside the writes give what the per-row
lookups gave, batches written while the next is prepared keep their order and
their duplicates, and an interrupt mid-pipeline leaves whole batches only."""

from __future__ import annotations

import csv
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from ingest_fixtures import migrated_with_layers, without_complaints
from sqlalchemy import Engine, text

from geoapp.config import Settings
from geoapp.ingest import complaint_writer, complaints
from geoapp.ingest.complaint_writer import WRITERS
from geoapp.ingest.complaints import import_complaints
from geoapp.ingest.places import Place, PlaceFinder, PlaceQuery

HEADER = ["Номер обращения", "Дата обращения", "Источник", "Текст обращения", "Адрес",
          "Широта", "Долгота", "Статус", "Исполнитель"]


@pytest.fixture(scope="module")
def pipeline_db(new_database, tmp_path_factory) -> Engine:
    engine = migrated_with_layers(new_database("pipeline"), tmp_path_factory.mktemp("layers"))
    yield engine
    engine.dispose()


@pytest.fixture
def engine(pipeline_db: Engine) -> Engine:
    return without_complaints(pipeline_db)


def ids(engine: Engine, table: str, column: str) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text(f"SELECT {column}, id FROM {table}")).all())


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def row(eid: str, address: str = "15 мкр, д. 7", lat: str = "", lon: str = "",
        status: str = "Исполнено") -> list[str]:
    return [eid, "12.01.2024 09:30", "109", "Нет отопления", address, lat, lon, status,
            "ТОО «Таразэнергоцентр»"]


def fail_on_call(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str, call: int,
                 error: BaseException) -> None:
    """Make `module.name` raise `error` on its `call`-th call (1-based), else work."""
    original = getattr(module, name)
    calls = 0

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == call:
            raise error
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def test_places_as_the_per_row_lookups_found_them(engine: Engine) -> None:
    md = ids(engine, "microdistricts", "name")
    parcel = ids(engine, "parcels", "cadastral_number")
    building = ids(engine, "buildings", "address")
    queries = [
        # own coordinates inside 15 мкр and its parcel, 1.5 m from building "15 мкр, 7"
        PlaceQuery(71.37201, 42.90201, None, None, True),
        # the same point located by address: the building is given, none is searched
        PlaceQuery(71.37201, 42.90201, None, building["15 мкр, 7"], False),
        # ~8 m east of the first parcel, ~49 m from the nearest building
        PlaceQuery(71.3726, 42.9020, None, None, True),
        # a microdistrict given by geocoding is kept; its representative point lies
        # on a parcel, which the complaint says nothing about
        PlaceQuery(71.3850, 42.9030, md["15 мкр"], None, False),
        # a street's house standing in for a house not in the register: no parcel
        PlaceQuery(71.37201, 42.90201, None, None, False),
        # the parcel named by the address is kept, not the one under the point
        PlaceQuery(71.3850, 42.9030, None, None, False, parcel["06:097:001:001"]),
        # no point: only what geocoding gave
        PlaceQuery(None, None, md["мкр. Жайлау"], None, False),
        # far from everything
        PlaceQuery(71.30, 42.85, None, None, True),
    ]
    with engine.connect() as conn:
        places = PlaceFinder(conn).find(queries)
    assert places == [
        Place(md["15 мкр"], parcel["06:097:001:001"], building["15 мкр, 7"]),
        Place(md["15 мкр"], parcel["06:097:001:001"], building["15 мкр, 7"]),
        Place(md["15 мкр"], parcel["06:097:001:001"], None),
        Place(md["15 мкр"], None, None),
        Place(md["15 мкр"], None, None),
        Place(md["мкр. Жайлау"], parcel["06:097:001:001"], None),
        Place(md["мкр. Жайлау"], None, None),
        Place(None, None, None),
    ]


def test_gazetteer_points_are_looked_up_once(engine: Engine) -> None:
    statements: list[int] = []
    gazetteer_point = PlaceQuery(71.3720, 42.9020, None, 1, False)
    own_point = PlaceQuery(71.37201, 42.90201, None, None, True)
    with engine.connect() as conn:
        finder = PlaceFinder(conn)
        look_up = finder._look_up

        def counted(queries: list[PlaceQuery]) -> list[Place]:
            statements.append(len(queries))
            return look_up(queries)

        finder._look_up = counted  # type: ignore[method-assign]
        first = finder.find([gazetteer_point, own_point, gazetteer_point])
        second = finder.find([gazetteer_point, own_point])
    assert first[0] == first[2] == second[0] and first[1] == second[1]
    assert statements == [2, 1]  # once per distinct point; own coordinates not kept


def test_duplicates_across_batches_in_the_pipeline(engine: Engine, tmp_path: Path) -> None:
    rows = [row(f"P-{i}") for i in range(7)] + [row("P-1"), row("P-6"), row("P-7")]
    path = write_rows(tmp_path / "dups.csv", rows)
    rejects = tmp_path / "rejects.csv"
    summary = import_complaints(engine, path, settings=Settings.from_env(),
                                rejects_path=rejects, batch_size=3)
    assert (summary.read, summary.inserted, summary.rejected) == (10, 8, 2)
    assert summary.batches_committed == 4
    with rejects.open(encoding="utf-8-sig") as fh:
        reasons = {r[0]: r[1] for r in list(csv.reader(fh, delimiter=";"))[1:]}
    assert reasons == {"9": "duplicate external_id in this file (first at line 3)",
                       "10": "duplicate external_id in this file (first at line 8)"}
    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM complaint_events")).scalar_one()
    assert events == 2 * 8  # received, then resolved as exported


@pytest.mark.parametrize("interrupt_at", [2, 4])
def test_interrupt_while_a_batch_is_in_flight(engine: Engine, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              interrupt_at: int) -> None:
    """Ctrl-C while batch n+1 is prepared and the batches before are being written:
    each either commits whole or rolls back whole, and the summary says which."""
    path = write_rows(tmp_path / "many.csv", [
        row(f"I-{i}", lat="42.9021", lon="71.3721") for i in range(500)])
    fail_on_call(monkeypatch, complaints, "prepare_batch", interrupt_at, KeyboardInterrupt())
    summary = import_complaints(engine, path, settings=Settings.from_env(), batch_size=100)
    assert summary.interrupted
    # Batches 1..n-1 were submitted; up to WRITERS of them were still in flight.
    assert interrupt_at - 1 - WRITERS <= summary.batches_committed <= interrupt_at - 1
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        events = conn.execute(text("SELECT count(*) FROM complaint_events")).scalar_one()
        status = conn.execute(text("SELECT status FROM import_batches")).scalar_one()
    assert count == summary.inserted == summary.read == 100 * summary.batches_committed
    assert events == 2 * count
    assert status == "interrupted"


@pytest.fixture
def sigint_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt, as in a terminal. A shell starts background
    jobs (a CI runner's, say) with SIGINT ignored, and Python then installs no
    handler of its own."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


@pytest.mark.usefixtures("sigint_raises")
def test_ctrl_c_as_a_committed_batch_is_counted(engine: Engine, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGINT delivered in the gap between a batch leaving flight and being counted
    (the worst moment): the batch is still counted, then the import stops."""
    path = write_rows(tmp_path / "many.csv", [
        row(f"C-{i}", lat="42.9021", lon="71.3721") for i in range(500)])
    original = complaints.account_batch

    def interrupted_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(complaints, "account_batch", original)
        os.kill(os.getpid(), signal.SIGINT)  # Python raises it at the next bytecode
        original(*args, **kwargs)

    monkeypatch.setattr(complaints, "account_batch", interrupted_first)
    summary = import_complaints(engine, path, settings=Settings.from_env(), batch_size=100)
    assert summary.interrupted
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
    assert summary.batches_committed >= 1
    assert count == summary.inserted == 100 * summary.batches_committed


def test_a_failed_batch_stops_the_import_and_the_others_are_counted(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that fails while others are in flight: the import stops with its error,
    the batches that committed stay whole and the import's record says what landed."""
    path = write_rows(tmp_path / "many.csv", [
        row(f"F-{i}", lat="42.9021", lon="71.3721") for i in range(500)])
    fail_on_call(monkeypatch, complaint_writer, "write_batch", 3,
                 RuntimeError("the disk is full"))
    with pytest.raises(RuntimeError, match="the disk is full"):
        import_complaints(engine, path, settings=Settings.from_env(), batch_size=100)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        status, recorded = conn.execute(text(
            "SELECT status, summary FROM import_batches")).one()
    assert status == "failed"
    assert count == recorded["inserted"] == 100 * recorded["batches_committed"]
    assert 2 <= recorded["batches_committed"] <= 2 + WRITERS - 1
