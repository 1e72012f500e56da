"""The letters and microdistrict markers every address pattern shares: the parser
(normalize) and the rewrites it runs first (ordinals) read them from here."""

from __future__ import annotations

import re

LETTERS = "а-яёәғқңөұүһі"  # lower-case Cyrillic letters, Kazakh included, for [...]
NO_LETTER_AFTER = rf"(?![{LETTERS}a-z])"

# Each Kazakh letter and the Russian letter it is typed as.
KAZAKH_TO_RUSSIAN = dict(zip("әғқңөұүһі", "агкноуухи", strict=True))
_KAZAKH_FOLD = str.maketrans(KAZAKH_TO_RUSSIAN)
_DOUBLED = re.compile(rf"([{LETTERS}])\1+")

# A microdistrict marker written before its name ("мкр", "микрорайон", "м-н"; a
# residential area, "жилой массив", "ж/м", counts as one) and one written after it
# ("шағын аудан", "ш.а.").
MICRODISTRICT_BEFORE = (
    rf"(?:микр\w*|мкр-н|мкрн|мкр|ммкр|мккр|мк-н|м-н|м\s*/\s*р|ж\s*/\s*м"
    rf"|(?:жил\.?\s*|жилой\s+)?массив(?:а|е|ы|і)?){NO_LETTER_AFTER}")
MICRODISTRICT_AFTER = (rf"(?:шағын|шагын|ықшам|ыкшам)\s*аудан\w*"
                       rf"|ш\s*[./]\s*а{NO_LETTER_AFTER}")


def fold_kazakh(text: str) -> str:
    """Kazakh letters to their Russian look-alikes (ө→о, қ→к, і→и, ...)."""
    return text.translate(_KAZAKH_FOLD)


def single_letters(text: str) -> str:
    """One letter for each run of the same Cyrillic letter: a key held too long
    ("жжол", "к?шесіі") is a common slip. Lower-case text."""
    return _DOUBLED.sub(r"\1", text)
