"""JSON text for a whole column of resources at once, from a template of literal text and columns.

Building each resource as a Python dict and serialising it took most of an export; joining Arrow
string columns does the same in C. A template is a list of literal strings and :class:`Col` pieces;
a piece whose value is null disappears with the text around it, so optional elements need no
branch per row. Keys come out in template order, so the text is the same on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

OSLO = "Europe/Oslo"


@dataclass(frozen=True)
class Col:
    """A column in a template: ``kind`` "str" (a JSON string), "raw" (JSON text as it is: a number,
    true/false or a fragment), "date" (YYYY-MM-DD), "datetime" (local time, seconds) or "instant"
    (local Oslo time with its UTC offset). ``before`` and ``after`` go with the value."""

    name: str
    kind: str = "str"
    before: str = ""
    after: str = ""


def quoted(values: pa.Array) -> pa.Array:
    """Strings known to need no escaping (codes, dates, times helsekit formats) as JSON string literals."""
    return pc.binary_join_element_wise('"', values, '"', "")


def json_string(values: pa.Array) -> pa.Array:
    """Strings as JSON string literals (quoted; backslash, quote and control characters escaped)."""
    values = pc.cast(values, pa.string())
    if not pc.any(pc.match_substring_regex(values, r'["\\\x00-\x1f]')).as_py():
        return quoted(values)  # the usual case, one scan instead of three
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    escaped = pc.replace_substring_regex(escaped, r"\n", r"\\n")
    return quoted(pc.replace_substring_regex(escaped, r"[\x00-\x1f]", " "))


def _local_text(seconds: pa.Array) -> pa.Array:
    # cast and replace: strftime took 2 s per million values, this 0.1 s
    return pc.replace_substring(pc.cast(seconds, pa.string()), " ", "T")


def _text(values: pa.Array, kind: str) -> pa.Array:
    if kind == "str":
        return json_string(values)
    if kind == "raw":
        return pc.cast(values, pa.string())
    if kind == "date":
        return quoted(pc.cast(pc.cast(values, pa.date32()), pa.string()))
    seconds = pc.cast(values, pa.timestamp("s"))
    if kind == "datetime":
        return quoted(_local_text(seconds))
    if kind == "instant":
        zoned = pc.assume_timezone(seconds, OSLO, ambiguous="earliest", nonexistent="earliest")
        ahead = pc.subtract(pc.cast(seconds, pa.int64()), pc.cast(zoned, pa.int64()))  # seconds ahead of UTC
        offset = pc.if_else(pc.equal(ahead, 7200), "+02:00", pc.if_else(pc.equal(ahead, 3600), "+01:00", pa.scalar(None, pa.string())))
        return pc.binary_join_element_wise('"', _local_text(seconds), offset, '"', "")
    raise ValueError(f"unknown column kind {kind!r}")


def render(table: pa.Table, template: list) -> pa.Array:
    """One JSON text per row of ``table``, following ``template`` (see the module docstring)."""
    parts = []
    for piece in template:
        if isinstance(piece, str):
            parts.append(pa.scalar(piece))
            continue
        text = _text(table[piece.name].combine_chunks(), piece.kind)
        joined = pc.binary_join_element_wise(piece.before, text, piece.after, "")
        parts.append(pc.fill_null(joined, ""))
    if not any(isinstance(p, pa.Array) for p in parts):
        return pa.array([''.join(p.as_py() for p in parts)] * table.num_rows, pa.string())
    return pc.binary_join_element_wise(*parts, "")


def ref(kind: str, column: str, before: str = "", after: str = "") -> Col:
    """A Reference to ``kind``/<column value>, dropped where the column is null."""
    return Col(column, "raw", f'{before}{{"reference":"{kind}/', f'"}}{after}')


@dataclass(frozen=True)
class Rendered:
    """Resources of one type: their ids, the citizen each is about (None for shared resources) and their JSON."""

    resource_type: str
    ids: pa.Array
    citizens: pa.Array | None
    text: pa.ChunkedArray


def rendered(resource_type: str, table: pa.Table, id_column: str, template: list, citizen_column: str | None = "citizen_id",
             id_prefix: str = "", rows_per_chunk: int = 500_000) -> Rendered:
    """Render ``table`` with ``template`` (which should start with :func:`head`) into a :class:`Rendered`,
    ``rows_per_chunk`` rows at a time (an Arrow string array holds at most 2 GiB of text)."""
    ids = pc.binary_join_element_wise(id_prefix, pc.cast(table[id_column].combine_chunks(), pa.string()), "")
    citizens = None if citizen_column is None else table[citizen_column].combine_chunks()
    chunks = [render(table.slice(start, rows_per_chunk), template) for start in range(0, table.num_rows, rows_per_chunk)]
    text = pa.chunked_array([c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in chunks], pa.string())
    return Rendered(resource_type, ids, citizens, text)


def head(resource_type: str, id_column: str, id_prefix: str = "") -> list:
    """The start of a resource: its type and id."""
    return [f'{{"resourceType":"{resource_type}","id":"{id_prefix}', Col(id_column, "raw"), '"']


def fragments(*parts: pa.Array) -> pa.Array:
    """Non-null JSON fragments joined with commas; null where every part is null."""
    # Folded pairwise: binary_join_element_wise(null_handling="skip") drops rows where every part is null (pyarrow 26).
    joined = None
    for part in parts:
        part = part.combine_chunks() if isinstance(part, pa.ChunkedArray) else part
        if joined is None:
            joined = part
            continue
        both = pc.binary_join_element_wise(joined, part, ",")
        joined = pc.if_else(pc.is_valid(joined), pc.if_else(pc.is_valid(part), both, joined), part)
    return joined


def coding(system: str, column: str, before: str = "", after: str = "", display: str | None = None) -> list:
    """A CodeableConcept of one coding in ``system`` with the column's code (and display column); the
    column must have no nulls (use :func:`optional` for one that has)."""
    shown = [] if display is None else [Col(display, before=',"display":')]
    return [Col(column, before=f'{before}{{"coding":[{{"system":"{system}","code":'), *shown, f"}}]}}{after}"]


def optional(table: pa.Table, column: str, template: list) -> pa.Array:
    """``template`` rendered where ``column`` is not null, and null where it is."""
    return pc.if_else(pc.is_valid(table[column].combine_chunks()), render(table, template), pa.scalar(None, pa.string()))


def with_columns(table: pa.Table, **columns) -> pa.Table:
    """``table`` with the given columns added (or replaced)."""
    for name, values in columns.items():
        values = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, values)
        else:
            table = table.append_column(name, values)
    return table


def mapped(values, mapping: dict[str, str]) -> pa.Array:
    """Each value's entry in ``mapping`` (null for a value it lacks)."""
    return pc.take(pa.array(list(mapping.values()), pa.string()), pc.index_in(values, value_set=pa.array(list(mapping), pa.string())))


def per_value(table: pa.Table, columns: list[str], text_of) -> pa.Array:
    """``text_of(*values)`` for each row's values of ``columns``, called once per distinct combination: for
    columns with few values (codes and their names), where rendering each row would repeat the same work."""
    keys = None  # each row's combination as one integer, from the columns' dictionary indices (null is a value of its own)
    for column in columns:
        encoded = pc.dictionary_encode(table[column].combine_chunks(), null_encoding="encode")
        indices = pc.cast(encoded.indices, pa.int64())
        keys = indices if keys is None else pc.add(pc.multiply(keys, len(encoded.dictionary)), indices)
    distinct = pc.unique(keys)
    firsts = table.select(columns).take(pc.index_in(distinct, value_set=keys)).to_pylist()
    texts = pa.array([text_of(*row.values()) for row in firsts], pa.string())
    return pc.take(texts, pc.index_in(keys, value_set=distinct))

