"""Synthetic people and organisations: applicant and holder names, phones, companies.

Every name is drawn from common first names and surnames; no real person is meant.
"""

from __future__ import annotations

import numpy as np

KZ_MALE = (
    "Асхат", "Ерлан", "Нурлан", "Бауыржан", "Айдос", "Данияр", "Ержан", "Марат", "Серик",
    "Талгат", "Руслан", "Канат", "Азамат", "Дастан", "Мурат", "Жанибек", "Санжар", "Алмас",
    "Ермек", "Берик", "Арман", "Болат", "Куаныш", "Нуржан", "Еркебулан", "Мейрам",
)
KZ_FEMALE = (
    "Айгуль", "Гульнара", "Динара", "Жанар", "Салтанат", "Айжан", "Назым", "Мадина", "Асель",
    "Гаухар", "Бибигуль", "Алия", "Сауле", "Карлыгаш", "Меруерт", "Жазира", "Айнур", "Камила",
    "Роза", "Шолпан", "Улжан", "Акмарал",
)
KZ_SURNAMES = (
    "Ахметов", "Жумабеков", "Сейтказиев", "Нурланов", "Есенов", "Абдрахманов", "Касымов",
    "Оспанов", "Тулегенов", "Байжанов", "Мусин", "Садыков", "Искаков", "Кенжебаев",
    "Алимбеков", "Турсунов", "Жакупов", "Бекмуратов", "Сарсенбаев", "Ибраимов", "Омаров",
    "Ержанов", "Калиев", "Смагулов", "Дуйсенов", "Танирбергенов", "Усенов", "Абенов",
)
KZ_INVARIANT_SURNAMES = ("Сейткали", "Нурмухамбет", "Жаксылык", "Бекжан", "Тлеуберди")
RU_MALE = ("Александр", "Сергей", "Владимир", "Андрей", "Дмитрий", "Виктор", "Игорь",
           "Николай", "Евгений", "Олег", "Юрий", "Павел")
RU_FEMALE = ("Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Людмила",
             "Галина", "Марина", "Валентина", "Анна", "Оксана")
RU_SURNAMES = ("Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов",
               "Морозов", "Новиков", "Федоров", "Волков", "Лебедев", "Ким", "Ли", "Пак",
               "Шевченко", "Бондаренко", "Гребенюк", "Цой", "Мельник")
RU_FATHERS = ("Александр", "Сергей", "Владимир", "Виктор", "Николай", "Иван", "Петр",
              "Юрий", "Михаил", "Геннадий")

_INVARIANT = frozenset({"Ким", "Ли", "Пак", "Цой", "Шевченко", "Бондаренко", "Гребенюк",
                        "Мельник", *KZ_INVARIANT_SURNAMES})

_OPERATORS = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777",
              "778")


_PATRONYMIC_STEMS = {"Юрий": "Юрьев", "Геннадий": "Геннадьев", "Николай": "Николаев",
                     "Михаил": "Михайлов", "Сергей": "Сергеев", "Андрей": "Андреев",
                     "Евгений": "Евгеньев"}


def _female_surname(surname: str) -> str:
    if surname in _INVARIANT:
        return surname
    if surname.endswith("ий"):
        return surname[:-2] + "ая"
    return surname + "а"


def _ru_patronymic(father: str, female: bool) -> str:
    stem = _PATRONYMIC_STEMS.get(father, father + "ов")
    return stem + ("на" if female else "ич")


_KZ_SURNAME_POOL = KZ_SURNAMES + KZ_INVARIANT_SURNAMES


def person_names(rng: np.random.Generator, kazakh: np.ndarray) -> list[str]:
    """Surname, first name and patronymic per row (Kazakh `-ұлы`/`-қызы` or Russian
    style), drawn in one vectorised step so that a million rows stay cheap."""
    n = len(kazakh)
    female = rng.random(n) < 0.5
    r = rng.integers(0, 1 << 30, size=(n, 4))
    out: list[str] = []
    for i in range(n):
        fem = bool(female[i])
        a, b, c, d = (int(v) for v in r[i])
        if kazakh[i]:
            surname = _KZ_SURNAME_POOL[a % len(_KZ_SURNAME_POOL)]
            first = KZ_FEMALE[b % len(KZ_FEMALE)] if fem else KZ_MALE[b % len(KZ_MALE)]
            father = KZ_MALE[c % len(KZ_MALE)]
            patronymic = (father + ("қызы" if fem else "ұлы") if d % 2
                          else _ru_patronymic(father, fem))
        else:
            surname = RU_SURNAMES[a % len(RU_SURNAMES)]
            first = RU_FEMALE[b % len(RU_FEMALE)] if fem else RU_MALE[b % len(RU_MALE)]
            patronymic = _ru_patronymic(RU_FATHERS[c % len(RU_FATHERS)], fem)
        if fem:
            surname = _female_surname(surname)
        out.append(f"{surname} {first} {patronymic}")
    return out


def person_name(rng: np.random.Generator, kazakh: bool) -> str:
    return person_names(rng, np.array([kazakh]))[0]


def phones(rng: np.random.Generator, n: int) -> list[str]:
    """Synthetic Kazakh mobile numbers, normalised: `+77XXXXXXXXX`."""
    ops = rng.integers(len(_OPERATORS), size=n)
    nums = rng.integers(0, 10_000_000, size=n)
    return [f"+7{_OPERATORS[o]}{v:07d}" for o, v in zip(ops.tolist(), nums.tolist(),
                                                        strict=True)]


def phone_as_typed(normalised: str, style: int) -> str:
    """The same number as an operator might type it (style 0 keeps it normalised)."""
    digits = normalised[2:]
    if style == 1:
        return "8" + digits
    if style == 2:
        return f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
    if style == 3:
        return f"+7 {digits[:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}"
    return normalised


_COMPANY_HEADS = ("Тараз", "Жамбыл", "Әулиеата", "Талас", "Қаратау", "Асыл", "Береке", "Нұр",
                  "Сапа", "Жібек Жолы", "Самал", "Бірлік", "Айша-Бибі", "Мерке", "Шу")
_COMPANY_TAILS = ("Строй", "Инвест", "Агро", "Трейд", "Сервис", "Логистик", "Құрылыс",
                  "Сауда", "Транс", "Девелопмент", "Пром", "Маркет", "Холдинг", "Ойл")


def company(rng: np.random.Generator) -> str:
    head = _COMPANY_HEADS[int(rng.integers(len(_COMPANY_HEADS)))]
    tail = _COMPANY_TAILS[int(rng.integers(len(_COMPANY_TAILS)))]
    form = "АО" if rng.random() < 0.08 else "ТОО"
    sep = " " if rng.random() < 0.5 else "-"
    return f"{form} «{head}{sep}{tail}»"


def farm(rng: np.random.Generator) -> str:
    if rng.random() < 0.5:
        return f"КХ «{_COMPANY_HEADS[int(rng.integers(len(_COMPANY_HEADS)))]}»"
    return "КХ «" + person_name(rng, True).split()[0] + "»"


def public_body(rng: np.random.Generator) -> str:
    n = int(rng.integers(1, 60))
    kinds = (f"КГУ «Школа-гимназия № {n}»", f"ГККП «Ясли-сад № {n}»",
             f"КГП «Городская поликлиника № {n % 9 + 1}»", "ГУ «Аппарат акима г. Тараз»",
             f"КГУ «Общеобразовательная школа № {n}»", "Акимат г. Тараз")
    return kinds[int(rng.integers(len(kinds)))]
