"""The complaint category taxonomy, the status model and the land codes of
DATA_CONTRACT v1, each code with its Russian, Kazakh and English name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    name_ru: str
    name_kk: str
    name_en: str

    @property
    def group(self) -> str:
        """The category group: the part of the code before the first dot."""
        return self.code.split(".", 1)[0]


CATEGORIES: tuple[Category, ...] = (
    Category("housing_utilities.heating", "Отопление", "Жылыту", "Heating"),
    Category("housing_utilities.hot_water", "Горячее водоснабжение", "Ыстық су", "Hot water"),
    Category("housing_utilities.cold_water", "Холодное водоснабжение", "Суық су", "Cold water"),
    Category("housing_utilities.sewage", "Канализация", "Кәріз", "Sewage"),
    Category("housing_utilities.electricity", "Электроснабжение", "Электрмен жабдықтау",
             "Electricity"),
    Category("housing_utilities.gas", "Газоснабжение", "Газбен жабдықтау", "Gas"),
    Category("housing_utilities.elevator", "Лифт", "Лифт", "Elevator"),
    Category("housing_utilities.roof", "Кровля", "Шатыр", "Roof"),
    Category("housing_utilities.management", "Управление домом (КСК/ОСИ)",
             "Үйді басқару (ПИК/МТБ)", "Building management"),
    Category("land.illegal_allocation", "Незаконное выделение земли",
             "Жерді заңсыз бөлу", "Illegal land allocation"),
    Category("land.encroachment", "Самозахват земли", "Жерді өз бетімен басып алу",
             "Encroachment"),
    Category("land.boundary", "Границы участка", "Учаске шекаралары", "Parcel boundaries"),
    Category("land.land_use", "Целевое использование земли", "Жерді нысаналы пайдалану",
             "Land use"),
    Category("roads", "Дороги", "Жолдар", "Roads"),
    Category("transport", "Общественный транспорт", "Қоғамдық көлік", "Public transport"),
    Category("waste", "Вывоз мусора", "Қоқыс шығару", "Waste collection"),
    Category("landscaping", "Благоустройство", "Абаттандыру", "Landscaping"),
    Category("public_order", "Общественный порядок", "Қоғамдық тәртіп", "Public order"),
    Category("social", "Социальные вопросы", "Әлеуметтік мәселелер", "Social issues"),
    Category("other", "Прочее", "Басқа", "Other"),
)

CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}
CATEGORY_CODES: tuple[str, ...] = tuple(CATEGORY_BY_CODE)
CATEGORY_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(c.group for c in CATEGORIES))

GROUP_NAMES: dict[str, dict[str, str]] = {
    "housing_utilities": {"ru": "ЖКХ", "kk": "ТКШ", "en": "Housing & utilities"},
    "land": {"ru": "Земельные вопросы", "kk": "Жер мәселелері", "en": "Land"},
    "roads": {"ru": "Дороги", "kk": "Жолдар", "en": "Roads"},
    "transport": {"ru": "Транспорт", "kk": "Көлік", "en": "Transport"},
    "waste": {"ru": "Мусор", "kk": "Қоқыс", "en": "Waste"},
    "landscaping": {"ru": "Благоустройство", "kk": "Абаттандыру", "en": "Landscaping"},
    "public_order": {"ru": "Общественный порядок", "kk": "Қоғамдық тәртіп",
                     "en": "Public order"},
    "social": {"ru": "Социальные вопросы", "kk": "Әлеуметтік мәселелер", "en": "Social"},
    "other": {"ru": "Прочее", "kk": "Басқа", "en": "Other"},
}

# Statuses and the transitions allowed between them (DATA_CONTRACT "Statuses").
STATUSES: tuple[str, ...] = (
    "received", "assigned", "in_progress", "resolved", "rejected", "reopened",
)
OPEN_STATUSES: frozenset[str] = frozenset({"received", "assigned", "in_progress", "reopened"})
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"assigned", "in_progress", "resolved", "rejected"}),
    "assigned": frozenset({"in_progress", "resolved", "rejected"}),
    "in_progress": frozenset({"resolved", "rejected"}),
    "resolved": frozenset({"reopened"}),
    "rejected": frozenset({"reopened"}),
    "reopened": frozenset({"in_progress"}),
}
REJECT_REASONS: tuple[str, ...] = ("duplicate", "not_our_responsibility", "unfounded")

SOURCES: tuple[str, ...] = ("109", "eotinish", "web", "walk_in", "open311")
ROLES: tuple[str, ...] = ("official", "inspector", "admin")
GEOCODE_PRECISIONS: tuple[str, ...] = ("coordinates", "building", "parcel", "street",
                                       "microdistrict", "none")
# Placed at their area's representative point: counted per area, never drawn as points.
AREA_ONLY_PRECISIONS: tuple[str, ...] = ("microdistrict",)

HEATING_VALUES: tuple[str, ...] = ("central", "individual", "none")
PARCEL_STATUSES: tuple[str, ...] = ("active", "withdrawn", "reserved", "cancelled")
ZONE_KINDS: tuple[str, ...] = (
    "state_needs", "water_protection", "green", "road_reserve", "utility_corridor", "heritage",
)
LAND_USES: tuple[str, ...] = (
    "residential", "commercial", "industrial", "agricultural", "public", "recreation",
    "individual_housing",
)


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


STATUS_NAMES: dict[str, dict[str, str]] = {
    "received": {"ru": "Зарегистрировано", "kk": "Тіркелді", "en": "Received"},
    "assigned": {"ru": "Назначено", "kk": "Тағайындалды", "en": "Assigned"},
    "in_progress": {"ru": "В работе", "kk": "Орындалуда", "en": "In progress"},
    "resolved": {"ru": "Исполнено", "kk": "Орындалды", "en": "Resolved"},
    "rejected": {"ru": "Отказано", "kk": "Бас тартылды", "en": "Rejected"},
    "reopened": {"ru": "Возобновлено", "kk": "Қайта ашылды", "en": "Reopened"},
}
SOURCE_NAMES: dict[str, dict[str, str]] = {
    "109": {"ru": "Служба 109", "kk": "109 қызметі", "en": "109 service"},
    "eotinish": {"ru": "eOtinish", "kk": "eOtinish", "en": "eOtinish"},
    "web": {"ru": "Сайт", "kk": "Сайт", "en": "Website"},
    "walk_in": {"ru": "Личный приём", "kk": "Жеке қабылдау", "en": "Walk-in"},
    "open311": {"ru": "Open311", "kk": "Open311", "en": "Open311"},
}
ROLE_NAMES: dict[str, dict[str, str]] = {
    "official": {"ru": "сотрудник акимата", "kk": "әкімдік қызметкері", "en": "official"},
    "inspector": {"ru": "земельный инспектор", "kk": "жер инспекторы", "en": "land inspector"},
    "admin": {"ru": "администратор", "kk": "әкімші", "en": "administrator"},
}


LAND_USE_NAMES: dict[str, dict[str, str]] = {
    "residential": {"ru": "Жилая застройка", "kk": "Тұрғын үй құрылысы", "en": "Residential"},
    "individual_housing": {"ru": "ИЖС", "kk": "Жеке тұрғын үй құрылысы",
                           "en": "Individual housing"},
    "commercial": {"ru": "Коммерческое", "kk": "Коммерциялық", "en": "Commercial"},
    "industrial": {"ru": "Промышленное", "kk": "Өнеркәсіптік", "en": "Industrial"},
    "agricultural": {"ru": "Сельскохозяйственное", "kk": "Ауыл шаруашылығы",
                     "en": "Agricultural"},
    "public": {"ru": "Общественная застройка", "kk": "Қоғамдық құрылыс", "en": "Public"},
    "recreation": {"ru": "Рекреационное", "kk": "Рекреациялық", "en": "Recreation"},
}
PARCEL_STATUS_NAMES: dict[str, dict[str, str]] = {
    "active": {"ru": "действующий", "kk": "қолданыстағы", "en": "active"},
    "withdrawn": {"ru": "изъят для гос. нужд", "kk": "мемлекет мұқтажы үшін алынған",
                  "en": "withdrawn for state needs"},
    "reserved": {"ru": "зарезервирован", "kk": "резервке алынған", "en": "reserved"},
    "cancelled": {"ru": "аннулирован", "kk": "күшін жойған", "en": "cancelled"},
}
ZONE_KIND_NAMES: dict[str, dict[str, str]] = {
    "state_needs": {"ru": "Для государственных нужд", "kk": "Мемлекет мұқтажы үшін",
                    "en": "State needs"},
    "water_protection": {"ru": "Водоохранная зона", "kk": "Су қорғау аймағы",
                         "en": "Water protection"},
    "green": {"ru": "Зелёная зона", "kk": "Жасыл аймақ", "en": "Green zone"},
    "road_reserve": {"ru": "Резерв под дороги", "kk": "Жол резерві", "en": "Road reserve"},
    "utility_corridor": {"ru": "Коридор инженерных сетей", "kk": "Инженерлік желілер дәлізі",
                         "en": "Utility corridor"},
    "heritage": {"ru": "Объекты наследия", "kk": "Мұра нысандары", "en": "Heritage"},
}


def code_name(names: dict[str, dict[str, str]], code: str, language: str) -> str:
    """A code's name in `language`; a value outside the codes (a land use kept as the
    register wrote it) is shown as it is."""
    return names.get(code, {}).get(language, code)


def category_name(code: str, language: str) -> str:
    category = CATEGORY_BY_CODE.get(code)
    if category is None:
        return code
    return {"ru": category.name_ru, "kk": category.name_kk}.get(language, category.name_en)


def status_name(status: str, language: str) -> str:
    return code_name(STATUS_NAMES, status, language)
