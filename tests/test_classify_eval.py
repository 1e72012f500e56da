"""The classifier report: counts per true category, the rows without a label apart,
and one-line errors for a truth file it cannot use."""

from __future__ import annotations

from pathlib import Path

from helpers import run_geoapp

from geoapp.classify_eval import LabelledText, evaluate

HEATING = "housing_utilities.heating"


def test_accuracy_per_category_and_without_label() -> None:
    report = evaluate([
        LabelledText("Нет отопления, батареи холодные", HEATING, True),
        LabelledText("Жылу жоқ, үйде суық", HEATING, False),
        LabelledText("Мусор не вывозят неделю", HEATING, False),  # a wrong truth: a miss
        LabelledText("Мусор не вывозят неделю", "waste", True),
    ])
    heating = next(c for c in report.categories if c.category == HEATING)
    assert (heating.samples, heating.correct) == (3, 2)
    assert (heating.unlabelled, heating.unlabelled_correct) == (2, 1)
    assert report.overall.samples == 4 and report.overall.correct == 3
    assert report.confusions == [(HEATING, "waste", 1)]
    assert report.below(0.9, 3) == [heating]
    assert report.below(0.9, 4) == []


def _complaints(path: Path) -> Path:
    path.write_text("Номер обращения;Дата обращения;Источник;Текст обращения;Категория\n"
                    "A-1;01.10.2023 10:00;109;Нет отопления, батареи холодные;\n"
                    "A-2;01.10.2023 11:00;109;Мусор не вывозят;Вывоз мусора\n",
                    encoding="utf-8")
    return path


def test_cli_reports_a_small_truth(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("source;external_id;true_category\n109;A-1;housing_utilities.heating\n"
                     "109;A-2;waste\n", encoding="utf-8")
    proc = run_geoapp("analyze", "classifier", str(_complaints(tmp_path / "c.csv")),
                      str(truth))
    assert proc.returncode == 0, proc.stderr
    assert "housing_utilities.heating" in proc.stdout and "100.0%" in proc.stdout


def test_cli_refuses_a_truth_without_its_columns(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("id;category\n1;waste\n", encoding="utf-8")
    proc = run_geoapp("analyze", "classifier", str(_complaints(tmp_path / "c.csv")),
                      str(truth))
    assert proc.returncode != 0
    assert "missing columns external_id, source, true_category" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_cli_refuses_a_truth_that_knows_none_of_the_rows(tmp_path: Path) -> None:
    truth = tmp_path / "truth.csv"
    truth.write_text("source;external_id;true_category\n109;Z-9;waste\n", encoding="utf-8")
    proc = run_geoapp("analyze", "classifier", str(_complaints(tmp_path / "c.csv")),
                      str(truth))
    assert proc.returncode != 0 and "no complaint of c.csv is in truth.csv" in proc.stderr
