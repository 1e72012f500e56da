"""The notes on how a complaint was located (its `geocode_note`).

A note is clauses joined by "; ", each written from one of the templates here, in
English, as it is stored. The complaint's page reads a note back into its clauses
(`read_note`) to show it in the page's language (geoapp.read_back). A clause may end
in ", " and the register's address it placed the complaint at. A note that does not
read back (written by an older geoapp) is shown as stored.
"""

from __future__ import annotations

from functools import cache

from geoapp.errors import N_
from geoapp.read_back import Clause, clause, read_message

SEPARATOR = "; "

# Where the address led (geocode.matcher, ingest.locate).
NO_HOUSE = N_("no house number in the address")
MIDDLE_HOUSE = N_("placed at the street's middle-numbered house")
INSIDE_MICRODISTRICT = N_("placed inside the microdistrict")
STREET_UNKNOWN = N_("street not in the register")
MIDDLE_WITHIN = N_("placed at the middle-numbered house of this street within "
                   "%(microdistrict)s")
STREET_MISSES = N_("the street does not pass the houses of %(microdistrict)s: placed "
                   "inside the microdistrict")
NEAREST_TO_DISTRICT = N_("placed at this street's house nearest to %(microdistrict)s")
CROSSING_UNKNOWN = N_("intersection with %(street)s: that street is not in the register")
CROSSING_APART = N_("intersection with %(street)s: the register's streets do not meet")
CROSSING_CORNER = N_("intersection with %(street)s: placed at this street's house "
                     "nearest to it")
ELSEWHERE = N_("not in Taraz: the address names %(place)s")
MARKER_READ = N_("read «%(copy)s» as «%(word)s»")
HOUSE_UNKNOWN = N_("house not in the register")
NEAREST_HOUSE = N_("placed at the nearest-numbered house")
HOUSE_NOT_FOUND = N_("house not found")
ADDRESS_NOT_FOUND = N_("address not found in the register")
NOTHING_TO_GO_ON = N_("no coordinates and no address")
STREET_APPROXIMATE = N_("the street's name matched approximately (%(score)s)")
ADDRESS_APPROXIMATE = N_("address matched approximately (%(score)s): %(address)s")
LETTERS_READ_BACK = N_("letters lost to '?' read back: «%(copy)s» as «%(word)s»")
ALSO_READ_BACK = N_("«%(copy)s» as «%(word)s»")
NO_SUCH_PARCEL = N_("cadastral number %(number)s is not in the parcels layer")
ADDRESS_NAMES = N_("the address names %(microdistrict)s")
PARCEL_LIES_IN = N_("the parcel lies in %(microdistrict)s")

# The row's own coordinates (ingest.locate, ingest.complaint_rows, ingest.geojson_table).
SWAPPED = N_("latitude and longitude were swapped; fixed")
OUTSIDE_ADDRESS_USED = N_("coordinates outside the city; the address used instead")
OUTSIDE_NO_ADDRESS = N_("coordinates outside the city and no address")
COORDINATES_IGNORED = N_("coordinates ignored: %(reason)s")
ONE_COORDINATE = N_("only one coordinate given; ignored")
ADDRESS_CUT = N_("address longer than %(limit)s characters (%(length)s): its first "
                 "%(limit)s kept")
EMPTY_GEOMETRY = N_("%(kind)s geometry is empty")
UNREADABLE_GEOMETRY = N_("%(kind)s geometry cannot be read; ignored")
UNREADABLE_GEOMETRY_OF_NO_KIND = N_("the geometry cannot be read; ignored")
INSIDE_SHAPE = N_("a %(kind)s: placed at a point inside it")

# Why a coordinate cell was not read (ingest.coordinates): a COORDINATES_IGNORED reason.
NOT_A_NUMBER = N_("not a number: %(value)s")
NOT_A_POINT = N_("not a point: %(value)s (expected latitude and longitude)")
TWO_HEMISPHERES = N_("two hemispheres in %(value)s")
NOT_DEGREES = N_("not degrees, minutes and seconds: %(value)s")

# The demo's own complaints (demo.loader).
SYNTHETIC = N_("synthetic ground truth")
SYNTHETIC_DISTRICT_ONLY = N_("synthetic: the address names only the microdistrict")

# In the order they are tried: a template is never a case of one after it.
TEMPLATES = (
    NO_HOUSE, MIDDLE_HOUSE, INSIDE_MICRODISTRICT, STREET_UNKNOWN, MIDDLE_WITHIN,
    STREET_MISSES, NEAREST_TO_DISTRICT, CROSSING_UNKNOWN, CROSSING_APART, CROSSING_CORNER,
    ELSEWHERE, MARKER_READ, HOUSE_UNKNOWN, NEAREST_HOUSE, HOUSE_NOT_FOUND,
    ADDRESS_NOT_FOUND, NOTHING_TO_GO_ON, STREET_APPROXIMATE, ADDRESS_APPROXIMATE,
    LETTERS_READ_BACK, ALSO_READ_BACK, NO_SUCH_PARCEL, ADDRESS_NAMES, PARCEL_LIES_IN,
    SWAPPED, OUTSIDE_ADDRESS_USED, OUTSIDE_NO_ADDRESS, COORDINATES_IGNORED, ONE_COORDINATE,
    ADDRESS_CUT, EMPTY_GEOMETRY, UNREADABLE_GEOMETRY_OF_NO_KIND, UNREADABLE_GEOMETRY,
    INSIDE_SHAPE, NOT_A_NUMBER, NOT_A_POINT, TWO_HEMISPHERES, NOT_DEGREES, SYNTHETIC,
    SYNTHETIC_DISTRICT_ONLY,
)


def joined_notes(*notes: str | None) -> str | None:
    """Notes on one complaint's location as one, or None when there are none."""
    return SEPARATOR.join(n for n in notes if n) or None


def read_pairs(template: str, pairs: list[tuple[str, str]]) -> str:
    """Word pairs (copy, word) read one as another: the first in `template`, the rest
    as ALSO_READ_BACK."""
    return SEPARATOR.join(clause(template if n == 0 else ALSO_READ_BACK, copy=copy, word=word)
                          for n, (copy, word) in enumerate(pairs))


# Bounds on reading back, so that an address typed with many "; " or ", " costs a page
# milliseconds, not minutes (it is then shown as stored): the parts one clause may
# span (a template holds one "; ", a typed value may hold more), the commas tried
# before the register's address (a placing clause holds none), the parts of a note.
MAX_CLAUSE_PARTS = 4
MAX_COMMAS_TRIED = 3
MAX_NOTE_PARTS = 60


def _read_placing(text: str) -> Clause | None:
    """A clause, or a clause and the register's address after ", "."""
    if (found := read_message(text, TEMPLATES)) is not None:
        return found
    start = 0
    for _ in range(MAX_COMMAS_TRIED):
        if (comma := text.find(", ", start)) < 0:
            break
        if (found := read_message(text[:comma], TEMPLATES)) is not None:
            return Clause(found.template, found.params, text[comma + 2:])
        start = comma + 1
    return None


def read_note(note: str) -> list[Clause] | None:
    """The note's clauses, or None when it was not written from these templates. A
    value may hold "; " (an address typed so): the splits are tried."""
    parts = note.split(SEPARATOR)
    if len(parts) > MAX_NOTE_PARTS:
        return None

    @cache
    def read_from(i: int) -> tuple[Clause, ...] | None:
        if i == len(parts):
            return ()
        for j in range(i + 1, min(i + MAX_CLAUSE_PARTS, len(parts)) + 1):
            head = _read_placing(SEPARATOR.join(parts[i:j]))
            if head is not None and (rest := read_from(j)) is not None:
                return (head, *rest)
        return None

    found = read_from(0)
    return list(found) if found is not None else None
