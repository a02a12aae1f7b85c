"""Full-text search over the articles: SQLite FTS5 in memory, built once per process.

The index holds each article's title, topic and body text. It is tokenised with ``unicode61`` and
``remove_diacritics 0``, so æ, ø and å stay letters of their own (a search for "for" does not find "før").
A query is split into words (letters and digits; everything else, FTS5's syntax characters included, only
separates words), and every word must match as a prefix: "fri" finds "frikort" and "fritt". Hits are
ranked with bm25, a word in the title counting more than one in the body, and come with a snippet of the
body around the words found, escaped, the words marked with ``<mark>``.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from helsekit.content import library
from helsekit.content.library import Article
from helsekit.errors import InvalidInput

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" and every other character separate words
#: bm25 weights of the indexed columns: title, topic, body (modelling choice: a word in the title says most).
WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_WORDS = 14
_OPEN, _CLOSE = "\x02", "\x03"  # marks snippet() puts around found words, replaced after escaping


class InvalidQuery(InvalidInput):
    """A search query with no words, or too long to be a search."""


@dataclass(frozen=True)
class Hit:
    """One article found: its id and title, the bm25 rank (lower is better) and an HTML snippet."""

    article_id: str
    title: str
    rank: float
    snippet_html: str


class Index:
    """An FTS5 index of ``articles`` in an in-memory SQLite database."""

    def __init__(self, articles: Iterable[Article]) -> None:
        self._lock = threading.Lock()  # one connection, used from whichever thread a widget callback runs on
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, topic, body, "
                         "tokenize = 'unicode61 remove_diacritics 0')")
        self._db.executemany("INSERT INTO articles (id, title, topic, body) VALUES (?, ?, ?, ?)",
                             [(a.id, a.title, a.topic, a.text) for a in articles])

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        """The articles matching every word of ``query`` as a prefix, best first."""
        expression = match_expression(query)
        sql = (f"SELECT id, title, bm25(articles, 0, {', '.join(map(str, WEIGHTS))}) AS rank, "
               f"snippet(articles, 3, ?, ?, '…', {SNIPPET_WORDS}) FROM articles WHERE articles MATCH ? ORDER BY rank, id LIMIT ?")
        with self._lock:
            rows = self._db.execute(sql, (_OPEN, _CLOSE, expression, max(1, int(limit)))).fetchall()
        return [Hit(article_id, title, rank, _marked(snippet)) for article_id, title, rank, snippet in rows]


def match_expression(query: object) -> str:
    """``query`` as an FTS5 expression: each word quoted, as a prefix, all required. A query with no words,
    or longer than :data:`MAX_QUERY_CHARS` characters or :data:`MAX_WORDS` words, is an :class:`InvalidQuery`."""
    text = query if isinstance(query, str) else ""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"query is longer than {MAX_QUERY_CHARS} characters",
                           f"Søket kan være høyst {MAX_QUERY_CHARS} tegn langt.", "query")
    words = WORD.findall(text)
    if not words:
        raise InvalidQuery("query has no words to search for", "Skriv minst ett ord å søke etter.", "query")
    if len(words) > MAX_WORDS:
        raise InvalidQuery(f"query has more than {MAX_WORDS} words", f"Søk med høyst {MAX_WORDS} ord.", "query")
    return " ".join(f'"{word}"*' for word in words)  # a word holds no quote, so quoting makes it plain text


def _marked(snippet: str) -> str:
    """The snippet escaped, its found words marked, and the line breaks between the body's blocks shown as " · "."""
    return escape(snippet, quote=True).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>").replace("\n", " · ")


@lru_cache(maxsize=1)
def library_index() -> Index:
    """The index of the library's articles, built on first use."""
    return Index(library.articles().values())


def search(query: str, limit: int = 10) -> list[Hit]:
    """Search the library's articles (see :class:`Index`)."""
    return library_index().search(query, limit)
