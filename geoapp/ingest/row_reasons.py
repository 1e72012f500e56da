"""Why a complaint row, or a layer's feature, is refused: the reasons of the rejects
file and of a layer import's rejected features.

Written in English from the templates here (what the rejects file keeps, and what
the command line shows); the import's page offers the file with its reasons read
back (geoapp.read_back) in the page's language. A `reason` value is a reason of its
own (a date that cannot be read, inside "received_at: …").
"""

from __future__ import annotations

from geoapp.errors import N_
from geoapp.read_back import Clause, read_message

# The row's values (ingest.complaint_rows).
MISSING_ID = N_("missing external_id")
LONG_ID = N_("external_id longer than 200 characters")
BAD_ID = N_("external_id %(reason)s")
ROUNDED_NUMBER = N_("%(value)s is a number of %(digits)s digits rounded to %(kept)s when "
                    "the file was saved (Excel's exponent form): save the column as text")
MISSING_TEXT = N_("missing text")
LONG_TEXT = N_("text longer than %(limit)s characters (%(length)s)")
MISSING_RECEIVED = N_("missing received_at")
BAD_RECEIVED = N_("received_at: %(reason)s")
FUTURE_RECEIVED = N_("received_at %(value)s is in the future")
PLACEHOLDER_DATE = N_("received_at %(value)s is before %(year)s: an empty date's "
                      "placeholder (01.01.1900, 01.01.1970)?")
NO_SOURCE = N_("no source in the row and none given with --source")
UNKNOWN_SOURCE = N_("unknown source %(value)s (map it with --labels)")
UNKNOWN_STATUS = N_("unknown status %(value)s (map it with --labels)")
BAD_RESOLVED = N_("resolved_at: %(reason)s")
RESOLVED_BEFORE = N_("resolved_at is before received_at")
RESOLVED_FUTURE = N_("resolved_at is in the future")
# Dates and times (ingest.values).
UNPARSEABLE_DATE = N_("unparseable date %(value)s")
UNPARSEABLE_TIME = N_("unparseable time %(value)s")
TIME_DISAGREES = N_("the date says %(time)s and the time column %(value)s")
# The row as read (ingest.table_source, ingest.csv_table, ingest.workbook).
NUL_CHARACTER = N_("contains a NUL character (\\x00), which text cannot hold")
BAD_BYTES = N_("contains bytes that are not valid in the file's encoding, or an unpaired "
               "surrogate (shown as \\xNN or \\uNNNN in the rejects file)")
UNCLOSED_QUOTE = N_("a quote opened in column %(column)s is not closed")
UNCLOSED_QUOTE_AT_END = N_("a quote opened in column %(column)s is not closed before the "
                           "end of the file")
UNCLOSED_QUOTE_SPANNING = N_("a quote opened in column %(column)s is not closed: lines "
                             "%(first)s–%(last)s would read as one cell; this line is "
                             "refused and the lines after it are read as rows")
UNCLOSED_QUOTE_SPANNING_AT_END = N_(
    "a quote opened in column %(column)s is not closed before the end of the file: lines "
    "%(first)s–%(last)s would read as one cell; this line is refused and the lines after "
    "it are read as rows")
EXTRA_CELLS = N_("%(used)s cells where the header has %(width)s: a %(delimiter)s inside a "
                 "value that is not quoted?")
EXTRA_CELLS_TAB = N_("%(used)s cells where the header has %(width)s: a tab inside a value "
                     "that is not quoted?")
FORMULA_WITHOUT_VALUE = N_("formula without a saved value in %(cells)s: the file was not "
                           "saved by a spreadsheet program; open it in Excel or LibreOffice, "
                           "save it and import it again")
# Rows left out when their batch is written (ingest.complaint_summary).
DUPLICATE = N_("duplicate external_id in this file (first at line %(first)s)")
KEY_TAKEN = N_("external_id already names another complaint of this source (received "
               "%(received)s; the date or the text differ): a row number taken for the "
               "complaint's number?")
# A layer feature's geometry that GEOS cannot build (ingest.layer_read), in the words
# of whoever drew it rather than as GEOS's exception.
RING_NOT_CLOSED = N_("a ring of the polygon is not closed (its last point is not its first)")
FEW_RING_POINTS = N_("a ring of the polygon has %(n)s points, fewer than the 4 a closed ring "
                     "needs")
SINGLE_POINT_LINE = N_("a line of a single point")

# In the order they are tried: a template is never a case of one after it.
TEMPLATES = (
    MISSING_ID, LONG_ID, BAD_ID, ROUNDED_NUMBER, MISSING_TEXT, LONG_TEXT, MISSING_RECEIVED,
    BAD_RECEIVED, FUTURE_RECEIVED, PLACEHOLDER_DATE, NO_SOURCE, UNKNOWN_SOURCE,
    UNKNOWN_STATUS, BAD_RESOLVED, RESOLVED_BEFORE, RESOLVED_FUTURE, UNPARSEABLE_DATE,
    UNPARSEABLE_TIME, TIME_DISAGREES, NUL_CHARACTER, BAD_BYTES,
    UNCLOSED_QUOTE_SPANNING_AT_END, UNCLOSED_QUOTE_SPANNING, UNCLOSED_QUOTE_AT_END,
    UNCLOSED_QUOTE, EXTRA_CELLS_TAB, EXTRA_CELLS, FORMULA_WITHOUT_VALUE, DUPLICATE,
    KEY_TAKEN, RING_NOT_CLOSED, FEW_RING_POINTS, SINGLE_POINT_LINE,
)


def read_reason(reason: str) -> Clause | None:
    """The reason's template and values; None for a reason of no template here."""
    return read_message(reason, TEMPLATES)
