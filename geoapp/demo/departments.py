"""The executing departments of the synthetic akimat and which categories each takes.
Names follow the usual Kazakh forms (ГКП, ТОО, отдел акимата); the organisations
and their assignments here are synthetic."""

from __future__ import annotations

from geoapp.taxonomy import CATEGORY_CODES

# (Russian name, Kazakh name, categories)
DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ГКП «Жылу»", "«Жылу» МКК",
     ("housing_utilities.heating", "housing_utilities.hot_water")),
    ("ГКП «Тараз су»", "«Тараз су» МКК",
     ("housing_utilities.cold_water", "housing_utilities.sewage")),
    ("ТОО «Таразэнергоцентр»", "«Таразэнергоорталық» ЖШС", ("housing_utilities.electricity",)),
    ("Жамбылский филиал АО «QazaqGaz Аймақ»", "«QazaqGaz Аймақ» АҚ Жамбыл филиалы",
     ("housing_utilities.gas",)),
    ("Отдел жилищной инспекции акимата г. Тараз", "Тараз қаласы әкімдігінің тұрғын үй "
     "инспекциясы бөлімі", ("housing_utilities.elevator", "housing_utilities.roof",
                            "housing_utilities.management")),
    ("Отдел земельных отношений акимата г. Тараз", "Тараз қаласы әкімдігінің жер "
     "қатынастары бөлімі", ("land.illegal_allocation", "land.boundary")),
    ("Отдел архитектуры и градостроительства акимата г. Тараз", "Тараз қаласы "
     "әкімдігінің сәулет және қала құрылысы бөлімі", ("land.encroachment", "land.land_use")),
    ("Отдел пассажирского транспорта и автомобильных дорог акимата г. Тараз",
     "Тараз қаласы әкімдігінің жолаушылар көлігі және автомобиль жолдары бөлімі",
     ("roads", "transport")),
    ("ГКП «Таза Тараз»", "«Таза Тараз» МКК", ("waste", "landscaping")),
    ("Управление полиции г. Тараз", "Тараз қаласының полиция басқармасы", ("public_order",)),
    ("Отдел занятости и социальных программ акимата г. Тараз", "Тараз қаласы әкімдігінің "
     "жұмыспен қамту және әлеуметтік бағдарламалар бөлімі", ("social",)),
    ("Аппарат акима г. Тараз", "Тараз қаласы әкімінің аппараты", ("other",)),
)


def department_of_category() -> list[int]:
    """For each code of `CATEGORY_CODES` (in order), the index of its department."""
    owner = {code: k for k, (_, _, codes) in enumerate(DEPARTMENTS) for code in codes}
    missing = [c for c in CATEGORY_CODES if c not in owner]
    if missing:
        raise RuntimeError(f"categories without a department: {missing}")
    return [owner[c] for c in CATEGORY_CODES]
