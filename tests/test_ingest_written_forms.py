"""Values as exports and typists write them: dates and times in their many forms
(and those refused as guesses), phones, words, coordinates in degrees and minutes
or in one column, header words exports add."""

from __future__ import annotations

import csv
from datetime import date
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from ingest_fixtures import (
    HEADER,
    database_with_layers,
    row,
    run_import,
    stored,
    without_complaints,
    write_csv,
)
from sqlalchemy import Engine, text

from geoapp.ingest.values import normalise_phone, parse_datetime

ingest_db = database_with_layers("ingest_db")


@pytest.fixture
def engine(ingest_db) -> Engine:
    return without_complaints(ingest_db[1])


def test_words_phones_and_times_as_exports_write_them(engine: Engine,
                                                       tmp_path: Path) -> None:
    """eOtinish's statuses, its name in Cyrillic, a phone Excel turned into a float or
    a landline without a city code (kept as typed, so /track still finds it), a time
    of day Excel kept as a fraction, a generic land label refined by the text."""
    header = [*HEADER, "Время обращения"]
    rows = [
        [*row("W-1", **{"Статус": "Қаралуда", "Источник": "ЕОТИНИШ",
                        "Телефон": "87012345678.0"}), ""],
        [*row("W-2", **{"Статус": "На рассмотрении", "Телефон": "43-12-34"}), ""],
        [*row("W-3", **{"Статус": "Исполнен", "Дата исполнения": "20.01.2024 12:00",
                        "Телефон": "8 701 234 56 78, 8 777 123 45 67",
                        "Дата обращения": "12.01.2024"}), "0.4375"],
        [*row("W-4", **{"Статус": "Тіркелген", "Категория": "Земельные вопросы",
                        "Текст обращения": "Сосед самовольно захватил часть общего "
                        "двора и поставил забор"}), ""],
        [*row("W-5", **{"Статус": "Отклонен", "Категория": "Земельные вопросы",
                        "Текст обращения": "Прошу разобраться"}), ""],
    ]
    summary, rejected = run_import(engine, write_csv(tmp_path / "w.csv", rows,
                                                     header=header), tmp_path)
    assert (summary.inserted, rejected) == (5, [])
    got = {eid: stored(engine, eid) for eid in ("W-1", "W-2", "W-3", "W-4", "W-5")}
    assert [got[e]["status"] for e in sorted(got)] == [
        "in_progress", "in_progress", "resolved", "received", "rejected"]
    assert got["W-1"]["source"] == "eotinish"
    assert [got[e]["applicant_phone"] for e in ("W-1", "W-2", "W-3")] == [
        "+77012345678", "43-12-34", "+77012345678"]
    tz = ZoneInfo("Asia/Almaty")
    assert got["W-3"]["received_at"].astimezone(tz).time() == time_of_day(10, 30)
    assert (got["W-4"]["category"], got["W-5"]["category"]) == (
        "land.encroachment", "land.illegal_allocation")
    assert got["W-5"]["category_confidence"] < 1


@pytest.mark.parametrize(("typed", "stored_as"), [
    ("8 (701) 123-45-67", "+77011234567"),
    ("+7 701 123 45 67", "+77011234567"),
    ("7011234567", "+77011234567"),  # the national number without its 8
    ("8 701 123 45 67 доб. 12", "+77011234567"),
    # A digit short after the country code: kept as typed, not read as a national
    # number with "+7" put before it (+77701123456, someone else's).
    ("+7 701 123 45 6", "+7 701 123 45 6"),
    ("+7 701 123 45 6, 8 777 123 45 67", "+77771234567"),
    ("нет", None),
])
def test_phones_as_typists_write_them(typed: str, stored_as: str | None) -> None:
    assert normalise_phone(typed) == stored_as


def test_statuses_as_eotinish_closes_them_and_typists_end_them(engine: Engine,
                                                                tmp_path: Path) -> None:
    rows = [row(f"S-{i}", **{"Статус": word}) for i, word in enumerate([
        "В работе.", "Отказано (дубликат)", "Рассмотрено", "Дан ответ", "Разъяснено",
        "Жауап берілді"])]
    summary, rejected = run_import(engine, write_csv(tmp_path / "s.csv", rows), tmp_path)
    assert (summary.inserted, rejected) == (6, [])
    assert [stored(engine, f"S-{i}")["status"] for i in range(6)] == [
        "in_progress", "rejected", "resolved", "resolved", "resolved", "resolved"]


def test_the_kazakh_time_and_language_columns(engine: Engine, tmp_path: Path) -> None:
    """eOtinish's Kazakh export: "Күні" and "Уақыты" (the time was dropped, every
    complaint at midnight), "Тілі"."""
    path = tmp_path / "kk.csv"
    path.write_text("Өтініш нөмірі;Күні;Уақыты;Мәтін;Мекенжай;Тілі\n"
                    "K-1;04.10.2022;15:21;Жылу жоқ, үйде суық;15 мкр, д. 7;kk\n",
                    encoding="utf-8")
    summary, rejected = run_import(engine, path, tmp_path, default_source="eotinish")
    assert (summary.inserted, rejected, summary.columns_not_read) == (1, [], [])
    landed = stored(engine, "K-1")
    assert landed["received_at"].astimezone(ZoneInfo("Asia/Almaty")).strftime(
        "%d.%m.%Y %H:%M") == "04.10.2022 15:21"
    assert landed["language"] == "kk"


def test_the_time_of_day_in_its_own_column(engine: Engine, tmp_path: Path) -> None:
    """Exports that keep the time apart from the date; in a workbook both are typed
    cells (a time-only cell stopped the whole import with an internal error)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Номер обращения", "Дата обращения", "Время обращения", "Текст обращения",
                  "Источник"])
    sheet.append(["V-1", date(2024, 1, 12), time_of_day(9, 30), "Нет отопления", "109"])
    sheet.append(["V-2", "12.01.2024", "9.45", "Нет отопления", "109"])
    sheet.append(["V-3", "12.01.2024 10:00", "10:00", "Нет отопления", "109"])
    sheet.append(["V-4", "12.01.2024", "25:10", "Нет отопления", "109"])
    sheet.append(["V-5", "12.01.2024 10:00", "11:00", "Нет отопления", "109"])
    path = tmp_path / "split.xlsx"
    book.save(path)
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 3 and summary.columns_not_read == []
    assert {r[2]: r[1] for r in rejected} == {
        "V-4": "received_at: unparseable time '25:10'",
        "V-5": "received_at: the date says 10:00 and the time column '11:00'"}
    tz = ZoneInfo("Asia/Almaty")
    local = {eid: stored(engine, eid)["received_at"].astimezone(tz).strftime("%d.%m %H:%M")
             for eid in ("V-1", "V-2", "V-3")}
    assert local == {"V-1": "12.01 09:30", "V-2": "12.01 09:45", "V-3": "12.01 10:00"}


def test_dates_with_the_year_word(engine: Engine, tmp_path: Path) -> None:
    """Russian and Kazakh documents write the year with its abbreviation."""
    path = write_csv(tmp_path / "in.csv", [
        row("Y-1", **{"Дата обращения": "12.01.2024 г."}),
        row("Y-2", **{"Дата обращения": "12.01.2024г. 09:30"}),
        row("Y-3", **{"Дата обращения": "12.01.2024 ж., 09:30",
                      "Дата исполнения": "15.01.2024 г."}),
        row("Y-4", **{"Дата обращения": "12.01.24 г."}),
        row("Y-5", **{"Дата обращения": "12/01/24 г."})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 4
    assert [r[:2] for r in rejected] == [["6", "received_at: unparseable date '12/01/24 г.'"]]
    assert stored(engine, "Y-4")["received_at"].isoformat().startswith("2024-01-11T18:00:00")
    assert stored(engine, "Y-1")["received_at"].isoformat().startswith("2024-01-11T18:00:00")
    for eid in ("Y-2", "Y-3"):
        assert stored(engine, eid)["received_at"].isoformat().startswith("2024-01-12T03:30")
    assert stored(engine, "Y-3")["resolved_at"].isoformat().startswith("2024-01-14T18:00")


def test_headers_with_the_words_exports_add(engine: Engine, tmp_path: Path) -> None:
    """"Статус обращения", "Широта (WGS 84)", "Дата и время обращения": the field's
    name with words that do not change it. Columns no field takes are reported, not
    dropped in silence; the applicant's own address is not the problem's place."""
    header = ["№ п/п", "Номер обращения", "Дата и время обращения", "Текст обращения заявителя",
              "Адрес заявителя", "Адрес обращения", "Широта (WGS 84)", "Долгота, °",
              "Статус обращения", "Дата и время исполнения", "Ответственный исполнитель",
              "ФИО заявителя", "Контактный телефон", "Примечание"]
    cells = ["1", "H-1", "12.01.2024 09:30", "Нет отопления", "ул. Абая, 1",
             "15 мкр, д. 7", "42,9021", "71,3721", "Исполнено", "14.01.2024 10:00",
             "ГКП «Жылу»", "Иванов Иван", "8 701 123 45 67", "срочно"]
    path = write_csv(tmp_path / "h.csv", [cells], header=header)
    summary, rejected = run_import(engine, path, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])
    assert summary.columns_not_read == ["№ п/п", "Адрес заявителя", "Примечание"]
    landed = stored(engine, "H-1")
    assert (landed["address"], landed["status"]) == ("15 мкр, д. 7", "resolved")
    assert (round(landed["lat"], 4), round(landed["lon"], 4)) == (42.9021, 71.3721)
    assert landed["resolved_at"] is not None and landed["department_id"] is not None
    assert (landed["applicant_name"], landed["applicant_phone"]) == ("Иванов Иван",
                                                                     "+77011234567")


def test_a_point_in_one_column(engine: Engine, tmp_path: Path) -> None:
    """Exports that keep the point as a map service copies it, in one "Координаты"
    cell; a cell that is not a point is noted and the row located by its address."""
    header = [h for h in HEADER if h not in ("Широта", "Долгота")] + ["Координаты"]
    rows = [[*(v for h, v in zip(HEADER, row(eid), strict=True)
               if h not in ("Широта", "Долгота")), point]
            for eid, point in (("P-1", "42,9021, 71,3721"), ("P-2", "POINT(71.3721 42.9021)"),
                               ("P-3", "71.3721 42.9021"), ("P-4", "у рынка"),
                               ("P-5", "42°54'07.6\"N 71°22'19.6\"E"),
                               ("P-6", "71°22'19.6\" в.д., 42°54'07.6\" с.ш."))]
    summary, rejected = run_import(engine, write_csv(tmp_path / "p.csv", rows, header=header),
                                   tmp_path)
    assert (summary.inserted, rejected) == (6, [])
    assert stored(engine, "P-6")["geocode_note"] is None  # its hemispheres said which is which
    for eid in ("P-1", "P-2", "P-3", "P-5", "P-6"):
        placed = stored(engine, eid)
        assert placed["geocode_precision"] == "coordinates", eid
        assert (round(placed["lat"], 4), round(placed["lon"], 4)) == (42.9021, 71.3721)
    assert "swapped" in stored(engine, "P-3")["geocode_note"]
    by_address = stored(engine, "P-4")
    assert by_address["geocode_precision"] == "building"
    assert "not a point" in by_address["geocode_note"]


def test_latitude_and_longitude_in_degrees_and_minutes(engine: Engine, tmp_path: Path
                                                        ) -> None:
    """As a GPS unit or a surveyor writes them; a cell that is neither a number nor
    degrees is noted and the row located by its address."""
    path = write_csv(tmp_path / "dms.csv", [
        row("D-1", **{"Широта": "42°54'07.6\"", "Долгота": "71°22'19.6\""}),
        row("D-2", **{"Широта": "42° 54,126′ с.ш.", "Долгота": "71° 22,327′ в.д."}),
        row("D-3", **{"Широта": "N 42.9021°", "Долгота": "E 71.3721°"}),
        row("D-4", **{"Широта": "42°74'", "Долгота": "71°22'"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (4, [])
    for eid in ("D-1", "D-2", "D-3"):
        placed = stored(engine, eid)
        assert placed["geocode_precision"] == "coordinates", eid
        assert (round(placed["lat"], 4), round(placed["lon"], 4)) == (42.9021, 71.3721), eid
    wrong = stored(engine, "D-4")
    assert wrong["geocode_precision"] == "building"
    assert "not degrees, minutes and seconds: \"42°74'\"" in wrong["geocode_note"]


@pytest.mark.parametrize(("written", "local"), [
    ("12-01-2024", "2024-01-12 00:00"),
    ("12.01.2024, 09:30", "2024-01-12 09:30"),
    ("12.01.2024 09.30", "2024-01-12 09:30"),
    ("12.01.2024 09:30:15.000", "2024-01-12 09:30"),     # 1C's fraction of a second
    ("12 января 2024 г.", "2024-01-12 00:00"),
    ("12 янв. 2024, 09:30", "2024-01-12 09:30"),
    ("5 мая 2024", "2024-05-05 00:00"),
    ("5 марта 2024", "2024-03-05 00:00"),
    ("12 қаңтар 2024 ж.", "2024-01-12 00:00"),
    ("12 мамыр 2024", "2024-05-12 00:00"),
    ("12.01.24", "2024-01-12 00:00"),                   # a short date format's CSV
    ("12.01.24 9:30", "2024-01-12 09:30"),
    ("45303", "2024-01-12 00:00"),                      # Excel's number for the date
    ("45303,395833", "2024-01-12 09:30"),
    ("45303.3958333333", "2024-01-12 09:30"),
])
def test_dates_as_other_exports_and_typists_write_them(written: str, local: str) -> None:
    tz = ZoneInfo("Asia/Almaty")
    assert parse_datetime(written, tz).astimezone(tz).strftime("%Y-%m-%d %H:%M") == local


def test_a_placeholder_date_is_rejected(engine: Engine, tmp_path: Path) -> None:
    """An empty date exported as day zero would put a complaint in 1900 and skew every
    statistic by period."""
    path = write_csv(tmp_path / "zero.csv", [
        row("Z-1", **{"Дата обращения": "01.01.1900"}),
        row("Z-2", **{"Дата обращения": "01.01.1970 00:00"}),
        row("Z-3", **{"Дата обращения": "03.01.2000"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert summary.inserted == 1
    assert [(r[2], r[1]) for r in rejected] == [
        ("Z-1", "received_at '01.01.1900' is before 2000: an empty date's placeholder "
                "(01.01.1900, 01.01.1970)?"),
        ("Z-2", "received_at '01.01.1970 00:00' is before 2000: an empty date's placeholder "
                "(01.01.1900, 01.01.1970)?")]


@pytest.mark.parametrize("written", [
    "12.01/2024", "31 ноября 2024", "12 бла 2024", "01/12/2024 9:30 PM", "12/01/24",
    "12-01-24", "24.01", "12.01.2", "2024", "12024", "453031"])
def test_dates_that_would_be_guesses_are_refused(written: str) -> None:
    with pytest.raises(ValueError, match="unparseable date"):
        parse_datetime(written, ZoneInfo("Asia/Almaty"))


def test_a_two_digit_year_is_this_century_and_never_the_future(engine: Engine,
                                                                tmp_path: Path) -> None:
    path = write_csv(tmp_path / "short_years.csv", [
        row("Y-1", **{"Дата обращения": "12.01.24 09:30", "Дата исполнения": "15.01.24"}),
        row("Y-2", **{"Дата обращения": "12.01.99"})])
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert [(r[2], r[1]) for r in rejected] == [
        ("Y-2", "received_at '12.01.99' is in the future")]
    with engine.connect() as conn:
        received, resolved = conn.execute(text("""
            SELECT to_char(received_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD HH24:MI'),
                   to_char(resolved_at AT TIME ZONE 'Asia/Almaty', 'YYYY-MM-DD')
            FROM complaints WHERE external_id = 'Y-1'""")).one()
    assert (received, resolved) == ("2024-01-12 09:30", "2024-01-15")


def test_excel_separator_hint_line(engine: Engine, tmp_path: Path) -> None:
    """Excel writes (and reads) a "sep=;" line above the header; it names the
    delimiter, and line numbers still count it."""
    path = tmp_path / "excel.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("sep=,\r\n")
        writer = csv.writer(fh, delimiter=",")
        writer.writerow(HEADER)
        writer.writerow(row("E-1", **{"Текст обращения": "Нет отопления; батареи холодные"}))
        writer.writerow(row("E-2", **{"Дата обращения": "вчера"}))
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert rejected[0][:2] == ["4", "received_at: unparseable date 'вчера'"]
    assert stored(engine, "E-1")["text"] == "Нет отопления; батареи холодные"


def test_a_row_counter_column_never_stands_for_the_complaint_number(engine: Engine,
                                                                    tmp_path: Path) -> None:
    """Exports often start with "№", the row's position in this file; the complaint's
    own number, when a column names it, is the key, wherever that column stands."""
    header = ["№", *HEADER]
    path = write_csv(tmp_path / "in.csv", [["1", *row("K-77")], ["2", *row("K-78")]],
                     header=header)
    summary, rejected = run_import(engine, path, tmp_path)
    assert (summary.inserted, rejected) == (2, [])
    assert stored(engine, "K-77")["external_id"] == "K-77"
    only_counter = write_csv(tmp_path / "only.csv", [["K-79", "12.01.2024 09:30", "Нет света"]],
                             header=["№", "Дата", "Текст"])
    summary, rejected = run_import(engine, only_counter, tmp_path, default_source="109")
    assert (summary.inserted, rejected) == (1, [])
