"""The keyword classifier and the mapping of source labels (pure Python)."""

from __future__ import annotations

import re

import pytest

from geoapp.category_labels import map_source_label, source_labels
from geoapp.classify import classify_text, classify_within, exact_matches, fold, fold_pattern
from geoapp.classify_rules import RULES
from geoapp.ingest.complaint_rows import detect_language
from geoapp.taxonomy import CATEGORIES, CATEGORY_CODES, CATEGORY_GROUPS

H = "housing_utilities."

SAMPLES: list[tuple[str, str]] = [
    # heating
    ("Третий день нет отопления, батареи ледяные, дети болеют", H + "heating"),
    ("В квартире холодно, температура 14 градусов, примите меры", H + "heating"),
    ("Үйде жылу жоқ, радиаторлар суық", H + "heating"),
    ("Пәтерде жылыту жұмыс істемейді, балалар тоңып жатыр", H + "heating"),
    ("атопление не работает с начала сезона", H + "heating"),
    # hot water
    ("Нет горячей воды уже неделю", H + "hot_water"),
    ("Из крана горячей воды идёт еле тёплая, ГВС не соответствует нормам", H + "hot_water"),
    ("Ыстық су берілмейді, үш күн болды", H + "hot_water"),
    # cold water
    ("Отключили холодную воду без предупреждения", H + "cold_water"),
    ("Слабый напор воды на 5 этаже, водоканал не реагирует", H + "cold_water"),
    ("Ауыз су жоқ, көшеде су құбыры жарылған", H + "cold_water"),
    ("Суық су келмейді екі күннен бері", H + "cold_water"),
    # sewage
    ("Засор канализации, нечистоты текут в подвал", H + "sewage"),
    ("Канализационный колодец переполнен, стоит вонь во дворе", H + "sewage"),
    ("Кәріз құбыры бітеліп қалды, ағынды су көшеге ағып жатыр", H + "sewage"),
    # electricity
    ("Нет света во всём доме с утра", H + "electricity"),
    ("Постоянные перепады напряжения, сгорела техника", H + "electricity"),
    ("Жарық жоқ, электр желісі үзілген", H + "electricity"),
    # gas
    ("Сильный запах газа в подъезде, срочно", H + "gas"),
    ("Нет газа в частном секторе, газоснабжение отключено", H + "gas"),
    ("Газ берілмейді, тамақ пісіре алмаймыз", H + "gas"),
    # elevator
    ("Лифт не работает второй месяц, пожилые не могут спуститься", H + "elevator"),
    ("Лифт тоқтап қалды, адамдар ішінде қалды", H + "elevator"),
    # roof
    ("Протекает крыша, после дождя вода с потолка", H + "roof"),
    ("Требуется ремонт кровли над 9 этажом", H + "roof"),
    ("Шатыр ағып тұр, төбеден су тамып жатыр", H + "roof"),
    # management
    ("КСК не отчитывается за собранные взносы, председатель не отвечает", H + "management"),
    ("ОСИ не убирает подъезд, в подъезде грязь", H + "management"),
    ("Үй басқару компаниясы ешқандай жұмыс жасамайды, пәтер иелерінің жиналысы болмады",
     H + "management"),
    # land: illegal allocation
    ("Незаконно выделили земельный участок на месте детской площадки", "land.illegal_allocation"),
    ("Акимат раздал землю под застройку родственникам чиновников", "land.illegal_allocation"),
    ("Жер телімі заңсыз бөлінген, тексеруді сұраймын", "land.illegal_allocation"),
    # land: encroachment
    ("Сосед самовольно захватил часть улицы и поставил забор на тротуаре", "land.encroachment"),
    ("Самозахват земли возле арыка, построили гараж", "land.encroachment"),
    ("Көршім жерді өз бетімен басып алып, қоршау салды", "land.encroachment"),
    # land: boundary
    ("Неправильно определены границы участка, наложение на соседний участок",
     "land.boundary"),
    ("Прошу провести межевание, спор с соседом о меже", "land.boundary"),
    ("Учаске шекаралары дұрыс белгіленбеген", "land.boundary"),
    # land: use
    ("Участок под ИЖС используется не по назначению, открыли автомойку", "land.land_use"),
    ("Нецелевое использование земли сельхозназначения", "land.land_use"),
    ("Жер нысаналы мақсаты бойынша пайдаланылмайды", "land.land_use"),
    # roads
    ("Огромная яма на дороге, машины ломают подвеску", "roads"),
    ("Разбитый асфальт на перекрёстке, нужен ремонт", "roads"),
    ("Көшедегі жол бұзылған, шұңқырлар көп", "roads"),
    ("Не работает светофор на перекрёстке Толе би и Абая", "roads"),
    # transport
    ("Автобус №12 ходит с интервалом в час", "transport"),
    ("Маршрут 25 отменили, людям не на чем добираться", "transport"),
    ("Аялдамада автобус күтуге болмайды, қоғамдық көлік жоқ", "transport"),
    # waste
    ("Мусор не вывозят две недели, контейнеры переполнены", "waste"),
    ("Стихийная свалка за гаражами", "waste"),
    ("Қоқыс шығарылмайды, аула лас", "waste"),
    # landscaping
    ("Во дворе спилили деревья, просим озеленение", "landscaping"),
    ("Не горят фонари на улице, темно вечером", "landscaping"),
    ("Балалар алаңы бұзылған, ағаштар кесілген", "landscaping"),
    # public order
    ("Соседи шумят по ночам, громкая музыка до утра", "public_order"),
    ("Стая бродячих собак нападает на детей", "public_order"),
    ("Подъезд жанында мас адамдар тәртіп бұзады", "public_order"),
    # social
    ("Не назначают пенсию по инвалидности", "social"),
    ("Многодетной семье отказали в адресной социальной помощи", "social"),
    ("Балабақшаға кезек жылжымайды", "social"),
    ("Зейнетақы уақытында түспейді", "social"),
    # other
    ("Спасибо за работу акимата", "other"),
    ("Прошу предоставить информацию о приёме граждан", "other"),
]


def test_samples_cover_every_category_in_both_languages() -> None:
    assert {code for _, code in SAMPLES} == set(CATEGORY_CODES)
    assert len(SAMPLES) >= 40


def test_classifier_accuracy_on_samples() -> None:
    wrong = [(text, expected, classify_text(text)) for text, expected in SAMPLES
             if classify_text(text)[0] != expected]
    accuracy = 1 - len(wrong) / len(SAMPLES)
    assert accuracy >= 0.9, f"accuracy {accuracy:.2f}, wrong: {wrong}"


def test_rule_prefilter_loses_no_match() -> None:
    """The head index and the word-start check find what a plain regex search does."""
    plain = [re.compile(rf"(?<!\w)(?:{fold_pattern(fragment)})")
             for rules in RULES.values() for fragment, _ in rules]
    for text, _ in SAMPLES:
        folded = fold(text)
        assert exact_matches(folded) == {i for i, p in enumerate(plain) if p.search(folded)}


def test_every_category_but_other_has_rules() -> None:
    assert set(RULES) == set(CATEGORY_CODES) - {"other"}


@pytest.mark.parametrize("text", ["", "   ", "12345", "<script>alert(1)</script>"])
def test_nothing_recognised_is_other_with_low_confidence(text: str) -> None:
    assert classify_text(text) == ("other", 0.1)


def test_confidence_is_higher_for_clear_texts() -> None:
    code, clear = classify_text("Нет отопления, батареи холодные, теплоснабжение отключено")
    _, vague = classify_text("Холодно")
    assert code == H + "heating"
    assert 0 < vague < clear <= 1


def test_mixed_texts_have_lower_confidence() -> None:
    _, single = classify_text("Нет горячей воды")
    _, mixed = classify_text("Нет горячей воды и не вывозят мусор")
    assert mixed < single


def test_case_yo_and_latin_lookalikes_do_not_matter() -> None:
    assert classify_text("НЕТ ГОРЯЧЕЙ ВОДЫ")[0] == H + "hot_water"
    assert classify_text("Еле тёплые батареи")[0] == H + "heating"
    assert classify_text("мусoр нe вывoзят")[0] == "waste"  # Latin o and e


def test_kazakh_typed_without_kazakh_letters() -> None:
    assert classify_text("жылу жок")[0] == H + "heating"
    assert classify_text("кокыс шыгарылмайды")[0] == "waste"


@pytest.mark.parametrize(("text", "code"), [
    ("Otopleniya net uzhe nedelyu, batarei kholodnye", H + "heating"),
    ("Jylu joq, üide suyq", H + "heating"),
    ("Musor ne vyvozyat tretiy den", "waste"),
])
def test_a_text_typed_in_latin_letters_is_classified_as_its_cyrillic_form(
        text: str, code: str) -> None:
    assert classify_text(text)[0] == code


def test_one_typo_is_tolerated_and_counts_less() -> None:
    code, typo = classify_text("атопление")
    _, exact = classify_text("отопление")
    assert code == H + "heating"
    assert typo < exact


@pytest.mark.parametrize(("text", "code"), [
    ("Нет сввета уже 20 часов", H + "electricity"),  # a short stem: no typo match
    ("Қыста жоол тазаланбайды", "roads"),
    ("Запах ггаза в подъезде", H + "gas"),  # not management by its entrance
    ("Құрметті әкім! Аялдаамада шатыр жоқ", "transport"),  # not the roof
    ("Ысстық су 17 күннен бері жоқ", H + "hot_water"),
])
def test_a_key_held_too_long_is_read_as_one_letter(text: str, code: str) -> None:
    assert classify_text(text)[0] == code


def test_words_spelt_with_a_double_letter_still_match() -> None:
    """Patterns are collapsed as texts are: "пассажир", "жұмыссыз", "аллея"."""
    assert classify_text("Пассажиров не пускают в салон")[0] == "transport"
    assert classify_text("Жұмыссыз қалдым, жәрдемақы төленбейді")[0] == "social"
    assert classify_text("Рядом с аллеей разбили клумбы")[0] == "landscaping"
    # With its "нн" read as one "н", "незаконн-" must still not take "незаконч-".
    assert classify_text("Незаконченная стройка во дворе")[0] != "land.encroachment"
    assert classify_text("<script>alert(1)</script>")[0] == "other"  # not an "аллее"


def test_gazon_is_not_gas_and_parking_is_not_a_park() -> None:
    assert classify_text("Вытоптали газон у дома")[0] == "landscaping"
    assert classify_text("Парковка на тротуаре")[0] != "landscaping"


def test_a_plea_for_help_is_no_social_complaint() -> None:
    """"Көмектесіңіздер!" closes complaints of every kind; help of a kind is social."""
    fenced = classify_text("Өзен жағасын қоршап алып, ешкімді кіргізбейді. Көмектесіңіздер!")
    assert fenced[0] == "land.encroachment"
    assert classify_text("Әкімдікке хабарласа алмай жүрмін. Көмектесіңіздер!")[0] == "other"
    assert classify_text("Көп балалы отбасымыз, материалдық көмек керек")[0] == "social"


def test_long_text_is_fine() -> None:
    assert classify_text("нет отопления " * 5000)[0] == H + "heating"


# -- source labels ---------------------------------------------------------------


@pytest.mark.parametrize(("label", "code"), [
    ("ЖКХ / Отопление", H + "heating"),
    ("жкх/отопление", H + "heating"),
    ("  ЖКХ   /   ОТОПЛЕНИЕ ", H + "heating"),
    ("Теплоснабжение", H + "heating"),
    ("Земельные отношения", "land"),  # a group: the text decides (classify_within)
    ("Благоустройство территории", "landscaping"),
    ("Вывоз ТБО", "waste"),
    ("вывоз  тбо", "waste"),
    ("Горячее водоснабжение", H + "hot_water"),
    ("Самозахват земли", "land.encroachment"),
    ("Қоқыс шығару", "waste"),
    ("Жерді нысаналы пайдалану", "land.land_use"),
    ("Waste collection", "waste"),
    ("housing_utilities.elevator", H + "elevator"),
    ("ЖКХ / Лифт", H + "elevator"),
    ("Прочее", "other"),
])
def test_map_source_label(label: str, code: str) -> None:
    assert map_source_label(label) == code


@pytest.mark.parametrize("label", ["", "   ", "Непонятная категория", "ЖКХ / Непонятное"])
def test_unknown_labels_map_to_none(label: str) -> None:
    assert map_source_label(label) is None


def test_every_taxonomy_name_maps_to_its_code() -> None:
    for c in CATEGORIES:
        for label in (c.code, c.name_ru, c.name_kk, c.name_en):
            assert map_source_label(label) == c.code, label


def test_label_file_maps_only_to_known_codes() -> None:
    assert set(source_labels().values()) <= set(CATEGORY_CODES) | set(CATEGORY_GROUPS)
    assert len(source_labels()) > 4 * len(CATEGORIES)


def test_a_group_label_takes_its_category_from_the_text() -> None:
    """"Земельные вопросы" covers every land category: self-seizure of a yard is an
    encroachment, not an illegal allocation, and must not inflate the latter."""
    assert classify_within("land", "Сосед самовольно захватил часть общего двора, "
                           "поставил забор")[0] == "land.encroachment"
    assert classify_within("land", "Участок выделили незаконно, без аукциона")[0] == (
        "land.illegal_allocation")
    # Nothing in the text about land: the group's first category, at half confidence;
    # never a category of another group.
    assert classify_within("land", "Прошу разобраться") == ("land.illegal_allocation", 0.5)
    assert classify_within("land", "Нет отопления, батареи холодные")[0].startswith("land.")


@pytest.mark.parametrize(("text", "language"), [
    ("Жылу жоқ", "kk"), ("Нет отопления", "ru"), ("Jylu joq, üide suyq", "kk"),
    ("Otopleniya net", "ru"),
])
def test_the_language_of_a_text_without_a_language_column(text: str, language: str) -> None:
    assert detect_language(text) == language
