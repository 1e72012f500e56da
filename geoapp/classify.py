"""Categorise complaint texts (Russian or Kazakh) by weighted keyword stems
(classify_rules). A source's own category labels are mapped in category_labels.

Texts and patterns are compared in one folded form (lower case, ё → е, Latin
look-alikes fixed, Kazakh letters folded to Russian look-alikes, a run of one letter
read as one), so a Kazakh text typed without Kazakh letters ("жылу жок") still
matches "жылу жоқ", and "жжол" matches "жол". Single-stem patterns also match words
one typo away ("атопление").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

from rapidfuzz import fuzz

from geoapp.classify_rules import RULES
from geoapp.geocode.latin import as_cyrillic
from geoapp.geocode.letters import fold_kazakh, single_letters
from geoapp.geocode.normalize import clean_text
from geoapp.taxonomy import CATEGORIES, CATEGORY_BY_CODE

OTHER = "other"
OTHER_CONFIDENCE = 0.1
MAX_TEXT_CHARS = 5000
TYPO_MIN_STEM = 6  # shorter stems are too easily one typo away from another word
TYPO_CUTOFF = 80.0  # rapidfuzz ratio: one edit in a 6-letter stem is 83
TYPO_FACTOR = 0.7  # a typo match counts less than an exact one


_SIMPLE_STEM = re.compile(r"([а-яё]+)(?:\\w\*)?")
_WORD = re.compile(r"[^\W\d_]+")


def fold(text: str) -> str:
    """The form texts and patterns are compared in. A text typed wholly in Latin
    letters ("batarei kholodnye", "jylu joq") is read back into Cyrillic first."""
    return single_letters(fold_kazakh(clean_text(as_cyrillic(text))))


def fold_pattern(fragment: str) -> str:
    """A rule's regex fragment in the form `fold` gives texts. Not `fold` itself: the
    look-alike fix would touch regex escapes such as \\b."""
    return single_letters(fold_kazakh(fragment.replace("ё", "е")))


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) of each character of a regex fragment
    that is neither escaped nor inside a character class."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex fragment."""
    bars = [i for i, ch, depth in _structure(pattern) if ch == "|" and depth == 0]
    bounds = [-1, *bars, len(pattern)]
    return [pattern[a + 1:b] for a, b in pairwise(bounds)]


def _group_end(pattern: str, start: int) -> int:
    """The index of the ")" closing the group opened at `start`."""
    for i, ch, depth in _structure(pattern, start):
        if ch == ")" and depth == 0:
            return i
    raise ValueError(f"unbalanced group in {pattern!r}")


def _heads(pattern: str) -> frozenset[str] | None:
    """The first two letters every match starts with, one or more per alternative;
    None when that cannot be told (the rule is then always tried)."""
    heads: set[str] = set()
    for alternative in _alternatives(pattern):
        if alternative.startswith("(?<"):  # a lookbehind consumes nothing
            alternative = alternative[_group_end(alternative, 0) + 1:]
        if alternative.startswith("(?:"):
            end = _group_end(alternative, 0)
            if alternative[end + 1: end + 2] in ("?", "*"):
                return None
            inner = _heads(alternative[3:end])
            if inner is None:
                return None
            heads |= inner
            continue
        head = alternative[:2]
        if len(head) < 2 or not head.isalpha():
            return None
        heads.add(head)
    return frozenset(heads)


class _Rule:
    __slots__ = ("code", "heads", "pattern", "stem", "weight")

    def __init__(self, code: str, fragment: str, weight: float) -> None:
        folded = fold_pattern(fragment)
        self.code = code
        self.weight = weight
        # No leading word-start assertion: it would cost the regex engine its fast
        # literal-prefix scan. `found_in` checks the word start instead.
        self.pattern = re.compile(folded)
        # A rule is only tried on texts with a word starting with one of its heads.
        self.heads = _heads(folded)
        simple = _SIMPLE_STEM.fullmatch(folded)
        self.stem = simple.group(1) if simple and len(simple.group(1)) >= TYPO_MIN_STEM else None

    def found_in(self, text: str) -> bool:
        """Whether the pattern matches `text` at the start of a word."""
        for m in self.pattern.finditer(text):
            i = m.start()
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
                return True
        return False


def _compile_rules() -> tuple[_Rule, ...]:
    unknown = set(RULES) - set(CATEGORY_BY_CODE)
    if unknown:
        raise ValueError(f"classifier rules for unknown codes: {sorted(unknown)}")
    return tuple(_Rule(code, frag, w) for code, rules in RULES.items() for frag, w in rules)


_RULES = _compile_rules()
_TYPO_RULES = tuple(i for i, r in enumerate(_RULES) if r.stem)
_ALWAYS_TRIED = tuple(i for i, r in enumerate(_RULES) if r.heads is None)


def _rules_by_head() -> dict[str, tuple[int, ...]]:
    by_head: dict[str, list[int]] = {}
    for i, rule in enumerate(_RULES):
        for head in rule.heads or ():
            by_head.setdefault(head, []).append(i)
    return {head: tuple(ids) for head, ids in by_head.items()}


_RULES_BY_HEAD = _rules_by_head()


@lru_cache(maxsize=100_000)
def _typo_hits(word: str) -> tuple[int, ...]:
    """Indexes of single-stem rules that `word` matches with one typo."""
    hits = []
    for i in _TYPO_RULES:
        stem = _RULES[i].stem
        assert stem is not None
        if len(word) + 1 < len(stem) or word.startswith(stem):
            continue
        if fuzz.ratio(word[: len(stem)], stem, score_cutoff=TYPO_CUTOFF):
            hits.append(i)
    return tuple(hits)


def exact_matches(folded: str) -> set[int]:
    """Indexes of the rules matching a folded text at a word start. Only rules with a
    head among the text's word heads are tried."""
    candidates = set(_ALWAYS_TRIED)
    for head in {w[:2] for w in _WORD.findall(folded)}:
        candidates.update(_RULES_BY_HEAD.get(head, ()))
    return {i for i in candidates if _RULES[i].found_in(folded)}


def category_scores(text: str) -> dict[str, float]:
    """Summed rule weights per category code (each rule counts once)."""
    folded = fold(text[:MAX_TEXT_CHARS])
    matched = exact_matches(folded)
    scores: dict[str, float] = {}
    for i in sorted(matched):
        rule = _RULES[i]
        scores[rule.code] = scores.get(rule.code, 0.0) + rule.weight
    for word in set(_WORD.findall(folded)):
        if len(word) < TYPO_MIN_STEM - 1:
            continue
        for i in _typo_hits(word):
            if i not in matched:
                matched.add(i)
                rule = _RULES[i]
                scores[rule.code] = scores.get(rule.code, 0.0) + rule.weight * TYPO_FACTOR
    return scores


def _ranked(scores: dict[str, float]) -> tuple[str, float]:
    """The best code of non-empty `scores` and a confidence in 0..1, growing with the
    winning score and with its margin over the runner-up."""
    order = {c.code: i for i, c in enumerate(CATEGORIES)}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = (1 - math.exp(-best / 3)) * best / (best + second)
    return best_code, round(confidence, 3)


# Exports repeat texts ("Нет света"); a bounded cache spares classifying them again.
@lru_cache(maxsize=4096)
def classify_text(text: str) -> tuple[str, float]:
    """The most likely taxonomy code and its confidence ("other", 0.1 when no keyword
    matches)."""
    scores = category_scores(text)
    if not scores:
        return OTHER, OTHER_CONFIDENCE
    return _ranked(scores)


# A group's label with nothing in the text to say which of its categories: the group's
# first category (the one most complaints under such labels belong to), at this.
GROUP_ONLY_CONFIDENCE = 0.5


@lru_cache(maxsize=4096)
def classify_within(group: str, text: str) -> tuple[str, float]:
    """The most likely category of `group` ("land": a source's generic "Земельные
    вопросы") by the text, else the group's first category."""
    scores = {code: score for code, score in category_scores(text).items()
              if CATEGORY_BY_CODE[code].group == group}
    if not scores:
        first = next(c.code for c in CATEGORIES if c.group == group)
        return first, GROUP_ONLY_CONFIDENCE
    return _ranked(scores)
