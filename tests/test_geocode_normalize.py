"""Address normalisation: the forms operators type must meet on one key (pure Python)."""

from __future__ import annotations

import time

import pytest

from geoapp.geocode import ParsedAddress, clean_text, fold_kazakh, match_key, normalize_address
from geoapp.geocode.address_parser import full_parse
from geoapp.geocode.latin import is_latin_only, latin_to_cyrillic


def key(raw: str) -> str:
    return normalize_address(raw).key


def test_parsed_address_is_a_frozen_value() -> None:
    parsed = normalize_address("ул. Толе би, 45А")
    assert parsed == ParsedAddress("street", "толе би", "45а")
    with pytest.raises(AttributeError):
        parsed.house = "1"  # type: ignore[misc]


@pytest.mark.parametrize("raw", [
    "15 мкр", "мкр 15", "мкр. 15", "15-й микрорайон", "микрорайон 15", "15 шағын аудан",
    "15 ш.а.", "15 ш/а", "мкрн 15", "15мкр", "МКР 15", "15-ші шағын аудан", "15 мкр.",
    "15 м-н", "м/р 15", "15 м/р", "15-го мкр", "15-го микрорайона", "в 15-ом микрорайоне",
    "15-м микрорайоне", "15го мкр",
    # the Kazakh ending with a letter doubled or left out
    "15-шші шағын аудан", "15-шіі шағын аудан", "15-і шағын аудан",
])
def test_numbered_microdistrict_forms_are_equal(raw: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", "15", None)
    assert key(raw) == "mkr:15"


@pytest.mark.parametrize("raw", [
    "мкр. Жайлау", "мкр Жайлау", "Жайлау ш.а.", "Жайлау ш/а", "микрорайон Жайлау",
    "Жайлау шағын ауданы", "Жайлау мкр", "ЖАЙЛАУ МКР", "мкр.Жайлау", "мкрн Жайлау",
    "м-н Жайлау", "м/р Жайлау", "Жайлау м/р",
])
def test_named_microdistrict_forms_are_equal(raw: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", "жайлау", None)


@pytest.mark.parametrize("raw", [
    "мкр 15, 12", "15 мкр, 12", "15 мкр, д. 12", "мкр. 15, дом 12", "15 шағын аудан, 12 үй",
    "15-й микрорайон, д.12", "г. Тараз, мкр 15, 12", "Тараз қ., 15 ш.а., 12 үй",
    "мкр 15 д 12 кв 40", "мкр 15, д. 12, кв. 40", "15 мкр, 12, квартира 40",
    "15 шағын аудан, 12 үй, 40 пәтер", "мкр 15 д. 12 п. 40", "мкр 15, 12-40",
    "Жамбылская обл., г.Тараз, мкр.15, д.12", "мкр 15 №12",
    # the house marker after its number, then the microdistrict after its own
    "12 дом 15 мкр", "15 мкр 12 дом", "15 м-н 12", "м/р 15, д. 12",
])
def test_microdistrict_with_house_and_ignored_flat(raw: str) -> None:
    assert key(raw) == "mkr:15:12"


@pytest.mark.parametrize(("raw", "expected"), [
    ("ул. Толе би, 45А", "street:толе би:45а"),
    ("улица Толе би, дом 45 а", "street:толе би:45а"),
    ("ул.Толе би,45-а", "street:толе би:45а"),
    ("г. Тараз, ул. Толе би, д. 45А, кв. 3", "street:толе би:45а"),
    ("Толе би көшесі, 45А үй", "street:толе би:45а"),
    ("Толе би к-сі, 45а", "street:толе би:45а"),
    ("Толе би көш. 45а", "street:толе би:45а"),
    ("ул. Толе-би 45а", "street:толе би:45а"),
    ("пр. Жамбыла, 101/1", "street:жамбыла:101/1"),
    ("проспект Жамбыла 101 / 1", "street:жамбыла:101/1"),
    ("пр-т Жамбыла, д. 101/1", "street:жамбыла:101/1"),
    ("Жамбыл даңғылы, 101/1", "street:жамбыл:101/1"),
    ("Жамбыл даң. 101/1", "street:жамбыл:101/1"),
    ("ул. им. Абая, 3", "street:абая:3"),
    ("ул. Т. Рыскулова, 7", "street:рыскулова:7"),
    ("ул. 8 Марта, 5", "street:8 марта:5"),
])
def test_street_forms(raw: str, expected: str) -> None:
    assert key(raw) == expected


def test_kazakh_letters_are_kept_in_names_and_folded_in_the_match_key() -> None:
    kk = normalize_address("Төле би көшесі, 45 үй")
    ru = normalize_address("ул. Толе би, д. 45")
    assert kk.name == "төле би"
    assert ru.name == "толе би"
    assert kk.match_key == ru.match_key == "street:толеби:45"
    assert normalize_address("Қошқарата көшесі 5").name == "қошқарата"
    assert normalize_address("Әйтеке би көшесі 5").name == "әйтеке би"


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("mkr Zhaylau, d. 12, kv. 5", "мкр Жайлау, д. 12, кв. 5"),
    ("Zhailau shagyn audany, 12 uy, 5 pater", "Жайлау шағын ауданы, 12 үй"),
    ("15 mkr, 12", "15 мкр, 12"),
    ("g. Taraz, ul. Tole bi 45a", "ул. Толе би, 45А"),
    ("Töle bi köşesi, 45A", "Төле би көшесі, 45А"),
    ("Qonaev k-si 71", "Қонаев көшесі 71"),
    ("pr. Zhambyla 101/1", "пр. Жамбыла, 101/1"),
    ("ul. Syzdykova 29", "ул. Сыздыкова 29"),
    # markers typed with Latin look-alikes of their Cyrillic letters
    ("MKP 15, 12", "мкр 15, 12"),
    ("15 MKPH, d. 12, KB. 5", "15 мкрн, д. 12, кв. 5"),
    ("mkp Zhaylau 12", "мкр Жайлау 12"),
])
def test_an_address_typed_in_latin_letters_is_read_as_the_cyrillic_one(
        latin: str, cyrillic: str) -> None:
    assert normalize_address(latin).match_key == normalize_address(cyrillic).match_key


def test_latin_letters_in_a_cyrillic_address_stay_look_alikes() -> None:
    # "мкp" with a Latin p is мкр, not мкп: the text has Cyrillic, so no transliteration
    assert normalize_address("мкp Жaйлaу, 12").key == "mkr:жайлау:12"
    assert is_latin_only("mkr Sholpan 1") and not is_latin_only("мкр Sholpan 1")
    assert not is_latin_only("15, 12")
    assert latin_to_cyrillic("Abay, Shchors, Yesenina") == "абай, щорс, есенина"


def test_match_key_meets_genitive_and_nominative() -> None:
    assert match_key("абая") == match_key("абай")
    assert match_key("жамбыла") == match_key("жамбыл")
    assert match_key("рыскулова") == match_key("рысқұлов")
    assert match_key("толе би") == match_key("төле би") == match_key("толеби")
    assert match_key("жайлау") != match_key("самал")


@pytest.mark.parametrize(("raw", "house"), [
    ("мкр 15, 12А", "12а"), ("мкр 15, 12 а", "12а"), ("мкр 15, 12-А", "12а"),
    ("мкр 15, 12/1", "12/1"), ("мкр 15, 12 / 1", "12/1"),
    ("мкр 15, 12 корп. 2", "12к2"), ("мкр 15, 12 к2", "12к2"), ("мкр 15, 12, корпус 2", "12к2"),
    ("мкр 15, 12 к. 2", "12к2"), ("мкр 15, д. 12 корп 2", "12к2"), ("мкр 15, 012", "12"),
])
def test_house_variants(raw: str, house: str) -> None:
    assert normalize_address(raw).house == house


def test_latin_lookalikes_inside_cyrillic_words() -> None:
    assert normalize_address("мкp 15, 12") == normalize_address("мкр 15, 12")  # Latin p
    assert normalize_address("мкр. Жaйлaу, 12") == normalize_address("мкр. Жайлау, 12")  # Latin a
    assert normalize_address("ул. TOЛE би, 45A") == normalize_address("ул. Толе би, 45А")
    assert normalize_address("Төле бi көшесі 45").name == "төле бі"  # Latin i is Kazakh і


def test_an_all_latin_address_is_transliterated_not_read_as_look_alikes() -> None:
    # look-alikes would make "Tole" "Тоlе" and leave "bi" alone
    assert normalize_address("Tole bi 45").name == "толе би"


def test_case_yo_punctuation_and_spaces() -> None:
    assert normalize_address("  УЛ.   ТОЛЕ   БИ ,,  45А ") == normalize_address("ул. Толе би, 45А")
    assert normalize_address("ул. Шёлковая, 1").name == "шелковая"


def test_name_is_read_before_the_house_without_a_marker() -> None:
    assert normalize_address("Толе би 45") == ParsedAddress(None, "толе би", "45")
    assert normalize_address("возле магазина, Толе би 45").name == "толе би"


def test_the_area_before_the_house_wins() -> None:
    assert key("мкр Жайлау, ул. Абая 12") == "street:абая:12"
    assert key("7 үй, 15 мкр") == "mkr:15:7"


@pytest.mark.parametrize("raw", ["", "   ", ",,,", "<script>alert(1)</script>", "№"])
def test_garbage_gives_no_area(raw: str) -> None:
    parsed = normalize_address(raw)
    assert parsed.kind is None
    assert parsed.name in (None, "алерт")  # the word between the tags, transliterated


def test_html_tags_are_dropped() -> None:
    assert normalize_address("<b>мкр 15</b>, 12") == normalize_address("мкр 15, 12")


def test_long_input_is_cut_and_fast() -> None:
    start = time.perf_counter()
    parsed = normalize_address("мкр 15, 12 " + "ы" * 20_000)
    normalize_address("а1," * 7000)
    assert time.perf_counter() - start < 0.5
    assert parsed.kind == "microdistrict"


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        normalize_address(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", [
    "мкр. Жайлау, 12", "15 мкр, 7", "ул. Толе би, 45А", "пр. Жамбыла, 101/1", "мкр. 15, 3",
    "ул. Абая", "15 мкр", "ул. Улица Абая, 5", "мкр. Шағын, 5", "ул. Дом Быта, 4",
    "ул. Тараз, 2", "мкр. Аса, 12а", "ул. 15, 3", "пр. им Абая, 3", "ул. Кв, 5",
])
def test_fast_path_agrees_with_the_full_parser(raw: str) -> None:
    assert normalize_address(raw) == full_parse(clean_text(raw).strip())


def test_text_helpers() -> None:
    assert clean_text("ЁЛКА Мкp") == "елка мкр"
    assert fold_kazakh("әғқңөұүһі") == "агкноуухи"


@pytest.mark.parametrize(("raw", "house"), [
    ("самал шағын ауданы, №35 үй 6-пәтер", "35"),
    ("Мамыр шағын ауданы, 79-үй, 8 пәт.", "79"),
    ("Алатау ш/а, 280 үй 42 п.", "280"),
    ("15 ш.а., 48 үй 21-әптер", "48"),
    ("үй 12, Жайлау ш.а.", "12"),
    ("мкр Жайлау д.12 кв 5", "12"),
])
def test_kazakh_house_follows_its_number_and_flats_are_dropped(raw: str, house: str) -> None:
    assert normalize_address(raw).house == house


@pytest.mark.parametrize(("raw", "kind", "name", "house"), [
    ("напротив дома рысбек батыра ул., 51", "street", "рысбек батыра", "51"),
    ("около м-н Мамыр дом 15", "microdistrict", "мамыр", "15"),
    ("улица Школьная, 53", "street", "школьная", "53"),
    ("мкр. Бурыл, уч. 06:097:047:003", "microdistrict", "бурыл", None),
    ("мкр. Бурыл, уч. 06-097-047-003", "microdistrict", "бурыл", None),
    ("г. Тараз, ммкр. Акбулым, 110 кв 69", "microdistrict", "акбулым", "110"),
    ("Районная ул., 5", "street", "районная", "5"),
])
def test_operator_phrasing(raw: str, kind: str, name: str, house: str | None) -> None:
    parsed = normalize_address(raw)
    assert (parsed.kind, parsed.name, parsed.house) == (kind, name, house)


@pytest.mark.parametrize(("raw", "house"), [
    ('мкр Мынбулак д.14"а"', "14а"),
    ("мкр Мынбулак 14«А»", "14а"),
    ("мкр Мынбулак дом 14 литер А", "14а"),
    ("мкр Мынбулак 14, лит. Б", "14б"),
    ("мкр Акбулым, д.108/А", "108а"),
    ("ул. Шевченко, 97, а", "97а"),
    ("ул. Шевченко, 97, а, кв. 5", "97а"),
    ("ул. Казыбек би 12\\1", "12/1"),
    ("мкр. Самал 2а/7", "2а/7"),
])
def test_house_letter_written_apart(raw: str, house: str) -> None:
    assert normalize_address(raw).house == house


@pytest.mark.parametrize(("raw", "house"), [
    ('ул. Абая, 14, "Арман"', "14"),  # a quoted name, not a letter
    ("ул. Абая, 12, кв. 5", "12"),
    ("ул. Абая, 12, г. Тараз", "12"),
])
def test_words_after_the_house_are_not_its_letter(raw: str, house: str) -> None:
    assert normalize_address(raw).house == house


@pytest.mark.parametrize(("raw", "name", "house"), [
    ("мкр.Самал-2, 12", "самал-2", "12"),
    ("мкр. Жайлау-2 12", "жайлау-2", "12"),
    ("мкр. Самал-1, д. 12, кв. 4", "самал-1", "12"),
    ("Самал-2 ш.а., 5 үй", "самал-2", "5"),
    ("мкр. Самал-2", "самал", "2"),  # no house after it: the number is the house
])
def test_a_number_hyphened_to_a_microdistrict_name_is_part_of_it(raw: str, name: str,
                                                                  house: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", name, house)


def test_a_number_hyphened_to_a_street_name_is_the_house() -> None:
    assert normalize_address("ул. Абая-12") == ParsedAddress("street", "абая", "12")


@pytest.mark.parametrize(("raw", "elsewhere"), [
    ("Байзакский район, с. Сарыкемер, ул. Толе би, 24", "Байзакский район"),
    ("г. Шу, ул. Толе би 24", "г. Шу"),
    ("г. Шу ул. Толе би 24", "г. Шу"),
    ("г. Алматы, ул. Толе би 24", "г. Алматы"),
    ("с. Кенес, ул. Пушкина 11", "с. Кенес"),
    ("село Кенес, ул. Пушкина 11", "село Кенес"),
    ("пос. Гродеково, ул. Абая 3", "пос. Гродеково"),
    ("Мерке, ул. Пушкина 11", "Мерке"),
    ("Шу қаласы, Абай көшесі 5", "Шу қаласы"),
    ("Сарыкемер ауылы, Абай көшесі 5", "Сарыкемер ауылы"),
    ("Байзақ ауданы, Абай көшесі 5", "Байзақ ауданы"),
])
def test_another_locality_is_named(raw: str, elsewhere: str) -> None:
    assert normalize_address(raw).elsewhere == elsewhere


@pytest.mark.parametrize("raw", [
    "г. Тараз, ул. Толе би 24", "г.Тараза, мкр. Самал 5", "Тараз қ., Абай көшесі 5",
    "Тараз қаласы, Самал ш.а., 5", "г. Жамбыл, ул. Абая 3", "г. Тарраз, мкр. Шолпан, д.212",
    "Траз қ., Ақбұлым ш.а., 159", "Самал шағын ауданы, 5", "Самал ықшам ауданы, 5",
    "Районная ул., 5", "в районе ул. Абая 5", "район мкр. Самал, 5", "Жамбыла п. д 154",
    "Шу, 5", "ул. Абая 12 с. 1", "мкр 15 д. 12 п. 40", "Мамыр шғын ауданы, 53",
    "гор. больница №1, ул. Абая 5", "ул. Абая 5, с.ш. №3", "ул. Г. Муратбаева 1",
    "ул.С.Сейфуллина 5", "С. Сейфуллин көшесі, 5", "Тараз г. Толе би 24",
])
def test_taraz_and_its_own_places_are_not_elsewhere(raw: str) -> None:
    assert normalize_address(raw).elsewhere is None


@pytest.mark.parametrize(("raw", "name"), [
    ("пер. Толе би 24", "пер толе би"), ("переулок Толе би, 24", "пер толе би"),
    ("тупик Толе би 24", "туп толе би"), ("туп. Толе би, 24", "туп толе би"),
])
def test_lanes_and_dead_ends_keep_their_kind_in_the_name(raw: str, name: str) -> None:
    assert normalize_address(raw) == ParsedAddress("street", name, "24")
    assert normalize_address(raw).match_name != normalize_address("ул. Толе би, 24").match_name


@pytest.mark.parametrize(("raw", "kind", "name"), [
    ("ул. Толе би, СОШ №24", "street", "толе би"),
    ("ул. Толе би, детсад №24", "street", "толе би"),
    ("ул. Толе би, д/с № 24", "street", "толе би"),
    ("ул. Толе би, школа-гимназия №24", "street", "толе би"),
    ("мкр Самал, школа 12", "microdistrict", "самал"),
    ("Самал ш.а., №12 мектеп", "microdistrict", "самал"),
    ("Самал ш.а., 12-мектеп", "microdistrict", "самал"),
    ("мкр Самал, поликлиника №3", "microdistrict", "самал"),
])
def test_an_institutions_number_is_not_the_house(raw: str, kind: str, name: str) -> None:
    assert normalize_address(raw) == ParsedAddress(kind, name, None)


def test_an_institution_beside_the_house_leaves_the_house() -> None:
    assert normalize_address("ул. Толе би 45, СОШ №24").house == "45"


@pytest.mark.parametrize("raw", [
    "Тараз Толе би 24", "080012 Тараз Толе би 24", "080012, г. Тараз, ул. Толе би, 24",
    "тараз, толе би 24",
])
def test_city_and_postcode_without_a_comma(raw: str) -> None:
    parsed = normalize_address(raw)
    assert (parsed.name, parsed.house) == ("толе би", "24")


def test_taraz_as_a_street_name_stays() -> None:
    assert normalize_address("Тараз көшесі 5") == ParsedAddress("street", "тараз", "5")


def test_old_spellings_and_patronymics_meet_in_the_match_key() -> None:
    assert match_key("джамбула") == match_key("жамбула")
    assert match_key("джабаева") == match_key("жабаев")
    assert match_key("байтұрсынұлы") == match_key("байтурсынова")
    assert match_key("момышұлы") == match_key("момышулы")


def test_a_microdistrict_named_besides_the_street_is_kept() -> None:
    parsed = normalize_address("мкр. Жайлау, ул. Абая, 12")
    assert (parsed.kind, parsed.name, parsed.house, parsed.microdistrict) == (
        "street", "абая", "12", "жайлау")
    assert normalize_address("мкр. Жайлау, 12").microdistrict is None


@pytest.mark.parametrize(("raw", "name"), [
    ("пятнадцатый микрорайон, дом 12", "15"), ("жители пятнадцатого микрорайона, д. 12", "15"),
    ("мкр. Пятнадцатый, 12", "15"), ("третий микрорайон, 12", "3"),
    ("двадцать первый мкр, 12", "21"), ("мкр Двадцать Первый, д.12", "21"),
    ("он бесінші шағын аудан, 12 үй", "15"), ("он бесинши шагын аудан, 12 уй", "15"),
    ("бірінші ш.а., 12 үй", "1"), ("шағын аудан жиырма екінші, 12 үй", "22"),
])
def test_a_microdistrict_number_written_as_a_word(raw: str, name: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", name, "12")


@pytest.mark.parametrize(("raw", "kind", "name"), [
    ("мкр. Первомайский, 12", "microdistrict", "первомайский"),
    ("ул. Первая, 12", "street", "первая"),
    ("Третий переулок, 12", "street", "пер третий"),
    ("ул. 8-го Марта, 12", "street", "8 марта"),
])
def test_ordinal_words_away_from_a_microdistrict_marker_stay_words(
        raw: str, kind: str, name: str) -> None:
    assert normalize_address(raw) == ParsedAddress(kind, name, "12")


@pytest.mark.parametrize("raw", [
    "15 мкр, 12 дом, 3 подъезд", "15 мкр, 12 дом 3 этаж", "15 мкр, 12 дом, этаж 3",
    "15 мкр, 12 дом, 2-й подъезд", "15 мкр, 12 дом, эт. 3", "3 подъезд, дом 12, мкр 15",
    "15 мкр, 12 үй, 3-кіреберіс", "15 мкр, 12 үй, 2 қабат", "15 мкр, 12 дом, офис 5",
    "15 мкр, 12 дом, 3 подъезд, 45 кв", "мкр 15, д. 12, эт 3",
    # no commas: a number followed by its own flat or floor word frees the one before
    "15 мкр 12 дом 3 подъезд 45 кв", "12 дом 3 подъезд 5 этаж 45 кв, 15 мкр",
    "15 мкр, 12 үй, 3 кіреберіс 45 пәтер", "мкр 15 дом 12 2-й подъезд 5-й этаж",
    # each word before its number: the number after "д." is the house
    "мкр 15 д.12 под.4 эт.2 кв.4", "мкр 15 д.12 эт.2 кв.4",
    # the house word after its number, then a comma: that number ("вк": a typo)
    "15 мкр, 12 дом, 3 подъезд, 10 вк",
    # "подъезд" mistyped by one letter (geocode.part_slips)
    "мкр 15 12 дом 2 пдоъезд 66 кв", "мкр 15 12 дом 2 поъезд 11 кв",
    "мкр 15 12 дом 3 подъеезд 25 кв", "15 мкр 12 дом 1 подъездд 15 кв",
])
def test_an_entrance_floor_or_office_number_is_not_the_house(raw: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", "15", "12")


@pytest.mark.parametrize(("raw", "name"), [
    ("ул. Офицерская, 12", "офицерская"), ("ул. Подгорная 12", "подгорная"),
    ("ул. Комсомольская 12", "комсомольская"), ("ул. Этажная, 12", "этажная"),
])
def test_words_that_begin_like_a_floor_or_office_stay_names(raw: str, name: str) -> None:
    assert normalize_address(raw) == ParsedAddress("street", name, "12")


def test_names_near_the_word_entrance_stay_names() -> None:
    """Only a word one slip from "подъезд" is read as it: "Поезд" is two away."""
    assert normalize_address("ул. Поездная 12").name == "поездная"
    assert normalize_address("ул. Подъездная, 12") == ParsedAddress("street", "подъездная",
                                                                   "12")


@pytest.mark.parametrize("raw", [
    "массив Ынтымак, участок 45", "жилой массив Ынтымак, уч. 45", "ж/м Ынтымак, 45",
    "жилмассив Ынтымак 45", "в жилмассиве Ынтымак, 45", "Ынтымак массиві, 45 учаскесі",
])
def test_a_residential_area_and_its_plot_number(raw: str) -> None:
    assert normalize_address(raw) == ParsedAddress("microdistrict", "ынтымак", "45")


def test_words_that_begin_like_an_area_or_plot_stay_names() -> None:
    assert normalize_address("ул. Массивная 5") == ParsedAddress("street", "массивная", "5")
    assert normalize_address("ул. Учительская 5") == ParsedAddress("street", "учительская", "5")


@pytest.mark.parametrize(("raw", "name", "cross", "microdistrict"), [
    ("угол ул. Абая и ул. Толе би", "абая", "толе би", None),
    ("ул. Абая угол ул. Толе би", "абая", "толе би", None),
    ("ул. Абая уг. Толе би", "абая", "толе би", None),
    ("на пересечении улиц Абая и Толе би", "абая", "толе би", None),
    ("пересечение Абая с Толе би", "абая", "толе би", None),
    ("перекресток Абая - Толе би", "абая", "толе би", None),
    ("ул. Абая / ул. Толе би", "абая", "толе би", None),
    ("г. Тараз, ул. Абая угол ул. Толе би", "абая", "толе би", None),
    ("Абай және Төле би көшелерінің қиылысы", "абай", "төле би", None),
    ("Абай көшесі мен Төле би көшесінің қиылысы", "абай", "төле би", None),
    ("мкр Самал, угол ул. Абая и ул. Толе би", "абая", "толе би", "самал"),
    ("ул. Абая угол мкр Самал", "абая", None, "самал"),
])
def test_an_intersection_names_both_streets(raw: str, name: str, cross: str | None,
                                            microdistrict: str | None) -> None:
    assert normalize_address(raw) == ParsedAddress("street", name, None, microdistrict,
                                                   cross=cross)


@pytest.mark.parametrize(("raw", "kind", "name", "house"), [
    ("ул. Кирилла и Мефодия, 5", "street", "кирилла мефодия", "5"),
    ("ул. Абая, 12 угол Толе би", "street", "абая", "12"),
    ("Самал ш/а", "microdistrict", "самал", None),
    ("ул. Абая 12/1", "street", "абая", "12/1"),
])
def test_what_is_not_an_intersection(raw: str, kind: str, name: str, house: str | None) -> None:
    parsed = normalize_address(raw)
    assert (parsed.kind, parsed.name, parsed.house, parsed.cross) == (kind, name, house, None)


def test_the_word_under_after_a_house_is_not_an_entrance() -> None:
    assert normalize_address("ул. Абая 5 под окнами") == ParsedAddress("street", "абая", "5")
    assert normalize_address("15 мкр, 12 дом, под. 3") == ParsedAddress("microdistrict", "15", "12")
