"""A layer file whose Kazakh letters were lost to '?' (lost_letters).

A shapefile or table saved in CP1251 holds "Мы?б?ла? ш.а." for "Мыңбұлақ ш.а.".
Imported over the register as it is, it would write its copies over the register's
names (and the geocoder reads a building's Kazakh address from there), and add each
feature whose natural key lost a letter once more, under its copy. So, set-based and
before the upsert: a key that copies a stored key is that key, a text value that
copies the stored one is the stored one; and the original, imported after its copy,
gives the register its letters back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoapp.ingest.lost_letters import has_lost_letters, lossy_copy_sql, lossy_sql


@dataclass
class LostLetters:
    features: int = 0  # features of the file with a letter lost to '?'
    kept: int = 0  # of them, those read as the register's rows whose text they copy
    restored: int = 0  # register rows given back letters that a copy had lost


def lossy_features(rows: Iterable[dict[str, Any]], fields: list[str]) -> set[int]:
    """Features with a letter lost to '?' in one of their text `fields` (a '?' that
    ends a word, as in "Таста? ш.а.", tells only once matched: match_lossy_copies)."""
    return {row["feature"] for row in rows
            if any(isinstance(row.get(f), str) and has_lost_letters(row[f]) for f in fields)}


def _tuple(alias: str, columns: list[str]) -> str:
    return f"({', '.join(f'{alias}.{c}' for c in columns)})"


def _one_to_one(pairs: str) -> str:
    """SQL: the (feature, id) pairs of `pairs` in which each side has no other."""
    return f"""
        WITH pairs AS ({pairs})
        SELECT feature, id FROM pairs
        WHERE feature IN (SELECT feature FROM pairs GROUP BY feature HAVING count(*) = 1)
          AND id IN (SELECT id FROM pairs GROUP BY id HAVING count(*) = 1)"""


def _copied_keys(table: str, keys: list[str]) -> str:
    """SQL: staged features whose key copies a stored row's, no staged feature having
    that key itself."""
    copies = " AND ".join(f"s.{k} = {lossy_sql(f't.{k}')}" for k in keys)
    return f"""
        SELECT s.feature, t.id FROM stage_layer s JOIN {table} t ON {copies}
        WHERE {_tuple('s', keys)} <> {_tuple('t', keys)}
          AND NOT EXISTS (SELECT 1 FROM stage_layer o
                          WHERE {_tuple('o', keys)} = {_tuple('t', keys)})"""


def _originals_of_stored_copies(table: str, keys: list[str]) -> str:
    """SQL: staged features of which a stored row's key is a copy, no stored row
    having the staged key itself."""
    copies = " AND ".join(f"t.{k} = {lossy_sql(f's.{k}')}" for k in keys)
    return f"""
        SELECT s.feature, t.id FROM stage_layer s JOIN {table} t ON {copies}
        WHERE {_tuple('s', keys)} <> {_tuple('t', keys)}
          AND NOT EXISTS (SELECT 1 FROM {table} o
                          WHERE {_tuple('o', keys)} = {_tuple('s', keys)})"""


def match_lossy_copies(conn: Connection, table: str, keys: list[str],
                       text_fields: list[str], lossy: set[int],
                       summary: LostLetters) -> set[int]:
    """Align the staged rows of `table` with the register where one is the other with
    letters lost: copies take the stored keys and values; stored copies take the
    staged originals' keys (their values then change in the upsert, as any update).
    The ids of the rows whose keys were given back: updated, whatever the upsert does."""
    kept = set(conn.exec_driver_sql(f"""
        UPDATE stage_layer s SET {', '.join(f'{k} = t.{k}' for k in keys)}
        FROM ({_one_to_one(_copied_keys(table, keys))}) m JOIN {table} t ON t.id = m.id
        WHERE s.feature = m.feature
        RETURNING s.feature""").scalars())
    restored_keys = set(conn.exec_driver_sql(f"""
        UPDATE {table} t SET {', '.join(f'{k} = s.{k}' for k in keys)}
        FROM ({_one_to_one(_originals_of_stored_copies(table, keys))}) m
        JOIN stage_layer s ON s.feature = m.feature
        WHERE t.id = m.id
        RETURNING t.id""").scalars())
    restored = set(restored_keys)
    values = [f for f in text_fields if f not in keys]
    same_key = f"{_tuple('s', keys)} = {_tuple('t', keys)}"
    if values:
        copied = {f: f"coalesce({lossy_copy_sql(f's.{f}', f't.{f}')}, false)" for f in values}
        kept |= set(conn.exec_driver_sql(f"""
            UPDATE stage_layer s SET {', '.join(
                f'{f} = CASE WHEN {copied[f]} THEN t.{f} ELSE s.{f} END' for f in values)}
            FROM {table} t WHERE {same_key} AND ({' OR '.join(copied.values())})
            RETURNING s.feature""").scalars())
        restored |= set(conn.exec_driver_sql(f"""
            SELECT t.id FROM stage_layer s JOIN {table} t ON {same_key}
            WHERE {' OR '.join(f'coalesce({lossy_copy_sql(f"t.{f}", f"s.{f}")}, false)'
                               for f in values)}""").scalars())
    summary.features, summary.kept = len(lossy | kept), len(kept)
    summary.restored = len(restored)
    return restored_keys
