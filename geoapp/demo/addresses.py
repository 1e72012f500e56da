"""Addresses: the register's canonical Russian and Kazakh forms, and the many ways an
operator or applicant writes the same place in a complaint (with typos and Latin
look-alike letters)."""

from __future__ import annotations

from geoapp.demo.names import ORDINAL_WORDS, STREET_KIND_KK, STREET_KIND_RU_LONG
from geoapp.demo.register import Area


def canonical(area: Area, number: str) -> str:
    """`мкр. Жайлау, 12`, `15 мкр, 7`, `ул. Толе би, 45А`."""
    if area.kind == "mkr":
        return f"{area.ru} мкр, {number}" if area.is_numbered_mkr else f"мкр. {area.ru}, {number}"
    return f"{area.street_kind} {area.ru}, {number}"


def canonical_kk(area: Area, number: str) -> str:
    """`Жайлау ш.а., 12 үй`, `15 шағын аудан, 7 үй`, `Төле би көшесі, 45А`."""
    if area.kind == "mkr":
        if area.is_numbered_mkr:
            return f"{area.kk} шағын аудан, {number} үй"
        return f"{area.kk} ш.а., {number} үй"
    return f"{area.kk} {STREET_KIND_KK[area.street_kind]}, {number}"


_MKR_RU = ("мкр. {n}", "мкр {n}", "микрорайон {n}", "{n}", "мкр.{n}", "{n} мкр",
           "г. Тараз, мкр. {n}", "м-н {n}")
_MKR_NUM_RU = ("{n} мкр", "{n}-й микрорайон", "микрорайон {n}", "мкр {n}", "{n}мкр",
               "г.Тараз {n} мкр", "мкр. {n}")
_STREET_RU = ("{k} {n}", "{n}", "{k}{n}", "{K} {n}", "г. Тараз, {k} {n}", "{n} {k}")
_HOUSE_RU = ("{h}", "д.{h}", "дом {h}", "д {h}", "{hl}", "{hs}", "д. {h}")
_FLAT_RU = (", кв. {f}", " кв {f}", "-{f}", ", кв{f}", " кв.{f}")
_MKR_KK = ("{n} ш.а.", "{n} шағын ауданы", "{n} ш/а", "Тараз қ., {n} ш.а.", "{n} шағын ауданы,")
_MKR_NUM_KK = ("{n} шағын аудан", "{n} ш.а.", "{n}-ші шағын аудан", "{n} шағын ауданы")
_STREET_KK = ("{n} {k}", "{n} {k}", "{n} к-сі", "Тараз қ., {n} {k}")
_HOUSE_KK = ("{h} үй", "{h}", "{h}-үй", "№{h} үй", "{hl}")
_FLAT_KK = (", {f} пәтер", " {f}-пәтер", " {f} п.", ", {f} пәт.")
_NEAR_RU = ("возле дома {a}", "около {a}", "напротив дома {a}", "{a}, во дворе",
            "район {a}", "рядом с {a}")
_NEAR_KK = ("{a} үйдің жанында", "{a} маңында", "{a} ауласында", "{a} қарсы бетінде")

_LOOKALIKE = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x",
                            "у": "y", "К": "K", "М": "M", "Т": "T", "Н": "H", "В": "B",
                            "А": "A", "Е": "E", "О": "O", "С": "C", "Р": "P"})


# One written address in SLIP_ONE_IN names a house the register does not have: the
# operator doubled its first digit (`12А` → `112А`). The geocoder then knows the
# street but not the house (precision `street`), or, on a long street, finds another
# house (a wrong building). Decided by high bits of `r` that choose nothing else; all
# ones, so that a small `r` (a shifted one, as for a parcel's neighbour) never slips.
SLIP_ONE_IN = 64
_SLIP_SHIFT = 20


def _slips(r: int) -> bool:
    return (r >> _SLIP_SHIFT) % SLIP_ONE_IN == SLIP_ONE_IN - 1


def slipped(number: str) -> str:
    """A house number with its first digit typed twice."""
    return number[0] + number if number[:1].isdigit() else number


# One written address in RARE_ONE_IN takes a rarer shape: the entrance and floor
# typed beside the flat ("12 дом, 3 подъезд, 45 кв"), or a numbered microdistrict
# as a word or with a case ending ("пятнадцатый микрорайон", "дом 12, 15-го
# микрорайона"). Decided by the top bits of `r`, which choose nothing else, so the
# other addresses stay as they were.
RARE_ONE_IN = 16
_RARE_SHIFT = 26
_PARTS_RU = ("{a}, {h} дом, {e} подъезд, {f} кв", "{a} д.{h} под.{e} эт.{fl} кв.{f}",
             "{a}, дом {h}, {e}-й подъезд, {fl} этаж, кв. {f}", "{a} {h} дом {e} подъезд {f} кв")
_PARTS_KK = ("{a}, {h} үй, {e} кіреберіс, {fl} қабат, {f} пәтер",
             "{a}, {h} үй, {e}-кіреберіс, {f} пәтер")
_MKR_WORD_RU = ("{w} микрорайон, дом {h}", "мкр. {W}, {h}", "дом {h}, {n}-го микрорайона",
                "в {n}-ом микрорайоне, д. {h}")
_MKR_WORD_KK = ("{w} шағын аудан, {h} үй", "{w} шағын ауданы, {h} үй")


def _rare(r: int) -> bool:
    return (r >> _RARE_SHIFT) % RARE_ONE_IN == RARE_ONE_IN - 1


def _rare_form(area: Area, head: str, number: str, flat: int, kazakh: bool,
               r: int) -> str | None:
    """A rarer shape of the address, or None when none fits the place."""
    words = ORDINAL_WORDS.get(area.ru) if area.is_numbered_mkr else None
    if words and (not flat or (r >> 12) % 2):
        word = words[1] if kazakh else words[0]
        forms = _MKR_WORD_KK if kazakh else _MKR_WORD_RU
        text = forms[(r >> 13) % len(forms)].format(w=word, W=word.capitalize(), n=area.ru,
                                                     h=number)
        return text + ((_FLAT_KK if kazakh else _FLAT_RU)[0].format(f=flat) if flat else "")
    if not flat:
        return None
    forms = _PARTS_KK if kazakh else _PARTS_RU
    return forms[(r >> 14) % len(forms)].format(a=head, h=number, f=flat,
                                                e=1 + (r >> 16) % 4, fl=1 + (r >> 18) % 9)


def _house_forms(number: str) -> dict[str, str]:
    lower = number.lower()
    spaced = number
    if number and not number[-1].isdigit() and number[-1] != "/":
        spaced = f"{number[:-1]} {number[-1]}"
    return {"h": number, "hl": lower, "hs": spaced}


def written(area: Area, number: str, flat: int, kazakh: bool, r: int) -> str:
    """One way of writing the address; `r` is a random integer choosing the variant."""
    if _slips(r):
        number = slipped(number)
    h = _house_forms(number)
    if kazakh:
        if area.kind == "mkr":
            forms = _MKR_NUM_KK if area.is_numbered_mkr else _MKR_KK
            head = forms[r % len(forms)].format(n=area.kk)
        else:
            kind = STREET_KIND_KK[area.street_kind]
            head = _STREET_KK[r % 4].format(n=area.kk, k=kind)
        house = _HOUSE_KK[(r >> 3) % len(_HOUSE_KK)].format(**h)
        flat_part = _FLAT_KK[(r >> 6) % len(_FLAT_KK)].format(f=flat) if flat else ""
    else:
        if area.kind == "mkr":
            forms = _MKR_NUM_RU if area.is_numbered_mkr else _MKR_RU
            head = forms[r % len(forms)].format(n=area.ru)
        else:
            head = _STREET_RU[r % len(_STREET_RU)].format(
                n=area.ru, k=area.street_kind, K=STREET_KIND_RU_LONG[area.street_kind])
        house = _HOUSE_RU[(r >> 3) % len(_HOUSE_RU)].format(**h)
        flat_part = _FLAT_RU[(r >> 6) % len(_FLAT_RU)].format(f=flat) if flat else ""
    sep = ", " if (r >> 9) % 3 else " "
    if head.endswith(","):
        head, sep = head[:-1], ", "
    if _rare(r) and (rare := _rare_form(area, head, number, flat, kazakh, r)):
        return rare
    return f"{head}{sep}{house}{flat_part}"


# One place on a street in STREET_IN_DISTRICT_ONE_IN is written as the street in its
# microdistrict, with no house ("мкр. Самал, ул. Абая"), as road and yard complaints
# often are. Decided by the top bits of `r`, which choose nothing else.
STREET_IN_DISTRICT_ONE_IN = 8
_STREET_IN_DISTRICT_SHIFT = 27
_STREET_IN_DISTRICT_RU = ("{d}, {k} {n}", "{k} {n}, {d}", "{k} {n} ({d})")
_STREET_IN_DISTRICT_KK = ("{d}, {n} {k}", "{n} {k}, {d}")


def street_in_district(area: Area, district: str, district_kk: str, kazakh: bool,
                       r: int) -> str | None:
    """The street of a place in its microdistrict, or None (not a street, or not this
    row's shape)."""
    if area.kind != "street":
        return None
    if (r >> _STREET_IN_DISTRICT_SHIFT) % STREET_IN_DISTRICT_ONE_IN != (
            STREET_IN_DISTRICT_ONE_IN - 1):
        return None
    if kazakh:
        form = _STREET_IN_DISTRICT_KK[r % len(_STREET_IN_DISTRICT_KK)]
        return form.format(d=district_kk, n=area.kk, k=STREET_KIND_KK[area.street_kind])
    form = _STREET_IN_DISTRICT_RU[r % len(_STREET_IN_DISTRICT_RU)]
    return form.format(d=district, n=area.ru, k=area.street_kind)


# One place in DISTRICT_ONLY_ONE_IN of those not written as a street in its
# microdistrict is written as the microdistrict alone ("15 мкр, во дворе"), as yard
# and road complaints often are: without coordinates, the geocoder knows no more than
# the microdistrict (precision `microdistrict`, counted there but not drawn as a
# point). Decided by bits of `r` that choose nothing else.
DISTRICT_ONLY_ONE_IN = 4
_DISTRICT_ONLY_SHIFT = 22
_DISTRICT_ONLY_RU = ("{d}", "{d}, во дворе", "во дворе {d}", "г. Тараз, {d}", "{d}, у дороги",
                     "{d}, детская площадка")
_DISTRICT_ONLY_KK = ("{d}", "{d} ауласында", "{d} маңында", "Тараз қ., {d}")


def district_only(district: str, district_kk: str, kazakh: bool, r: int) -> str | None:
    """A place named by its microdistrict alone, or None (not this row's shape)."""
    if (r >> _DISTRICT_ONLY_SHIFT) % DISTRICT_ONLY_ONE_IN != DISTRICT_ONLY_ONE_IN - 1:
        return None
    if kazakh:
        return _DISTRICT_ONLY_KK[r % len(_DISTRICT_ONLY_KK)].format(d=district_kk)
    return _DISTRICT_ONLY_RU[r % len(_DISTRICT_ONLY_RU)].format(d=district)


def near(address: str, kazakh: bool, r: int) -> str:
    """A place described by a nearby building: `возле дома ул. Абая, 12`."""
    forms = _NEAR_KK if kazakh else _NEAR_RU
    return forms[r % len(forms)].format(a=address)


def add_noise(text: str, u: float, r: int) -> str:
    """Typing noise on an address: typos, look-alike Latin letters, case, spacing.
    `u` in [0, 1) decides whether, `r` how."""
    if u < 0.015:
        return text.translate(_LOOKALIKE)
    if u < 0.05:
        return _lookalike_word(text, r)
    if u < 0.11:
        return typo(text, r)
    if u < 0.28:
        return text.lower()
    if u < 0.30:
        return text.upper()
    if u < 0.34:
        return text.replace(" ", "  ", 1) if r % 2 else text.replace(", ", ",")
    return text


def _lookalike_word(text: str, r: int) -> str:
    words = text.split(" ")
    k = r % len(words)
    words[k] = words[k].translate(_LOOKALIKE)
    return " ".join(words)


def typo(text: str, r: int) -> str:
    """Swap, drop or double one letter."""
    letters = [k for k, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    k = letters[(r >> 2) % len(letters)]
    kind = r % 3
    if kind == 0 and k + 1 < len(text) and text[k + 1].isalpha():
        return text[:k] + text[k + 1] + text[k] + text[k + 2:]
    if kind == 1:
        return text[:k] + text[k + 1:]
    return text[:k] + text[k] + text[k:]
