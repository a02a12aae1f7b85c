"""The article library: Markdown files with TOML front matter, read and checked.

Each article is ``articles/<id>.md``: a front matter between two ``+++`` lines, then the body in the
subset of :mod:`helsekit.content.markdown`::

    +++
    title = "Rett til vurdering innen 10 virkedager"
    topic = "Henvisninger"
    audience = "Deg som er henvist til sykehus eller spesialist"
    services = ["referrals"]
    last_reviewed = 2026-11-27
    sources = ["§6.1", "§6.4"]
    +++

TOML rather than YAML front matter because :mod:`tomllib` is in the standard library, as for the specs.

``services`` names where the article belongs. A name is either a Min helse service area (a value of
:class:`helsekit.services.policy.Service`, e.g. ``referrals``) or a pilot id (a folder under ``pilots/``,
e.g. ``velg-behandlingssted``), because some portal screens (Velg behandlingssted, pakkeforløp) are
pilots rather than service areas. Any other name is an error, as is a missing or mistyped field.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from helsekit import pilots
from helsekit.content import markdown
from helsekit.errors import InvalidInput
from helsekit.services.policy import Service

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
FENCE = "+++"
TEXT_FIELDS = ("title", "topic", "audience")
LIST_FIELDS = ("services", "sources")
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, "last_reviewed")
ARTICLE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SOURCE = re.compile(r"^§\d+(\.\d+)?$")  # a section or fact of domain-facts, e.g. "§6.4"


class ArticleError(InvalidInput):
    """An article file is unreadable, or a field of its front matter breaks the library's rules."""


@dataclass(frozen=True)
class Article:
    """One article: its front matter, and its body in Markdown."""

    id: str
    title: str
    topic: str
    audience: str
    services: tuple[str, ...]
    last_reviewed: dt.date
    sources: tuple[str, ...]
    body: str

    @property
    def html(self) -> str:
        """The body as escaped HTML."""
        return markdown.to_html(self.body)

    @property
    def text(self) -> str:
        """The body as plain text."""
        return markdown.to_text(self.body)


def known_services() -> frozenset[str]:
    """Every name an article may give in ``services``: the service areas and the pilot ids."""
    return frozenset(s.value for s in Service) | {p.id for p in pilots.discover()[0]}


def _error(path: Path, field: str, en: str, nb: str) -> ArticleError:
    return ArticleError(f"{path.name}: field '{field}' {en}", f"{path.name}: feltet «{field}» {nb}", field)


def _front_matter(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise _error(path, "file", f"cannot be read: {error}", f"kan ikke leses: {error}") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE or FENCE not in (line.strip() for line in lines[1:]):
        raise _error(path, "front_matter", f"must open the file between two '{FENCE}' lines",
                     f"må stå først i filen mellom to «{FENCE}»-linjer")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE)
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise _error(path, "front_matter", f"is not valid TOML: {error}", f"er ikke gyldig TOML: {error}") from None
    return data, "\n".join(lines[end + 1:]).strip()


def load(path: Path, services: frozenset[str] | None = None) -> Article:
    """Read and check one article; ``services`` are the names it may belong to (default :func:`known_services`)."""
    data, body = _front_matter(path)
    article_id = path.stem
    if not ARTICLE_ID.match(article_id):
        raise _error(path, "id", "(the file name) must be lower-case words joined by '-'", "(filnavnet) må være små bokstaver og bindestrek")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise _error(path, unknown[0], f"is not a field of an article ({', '.join(FIELDS)})", "er ikke et felt i en artikkel")
    for name in TEXT_FIELDS:
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise _error(path, name, "is missing or not a non-empty text", "mangler eller er ikke en tekst")
    for name in LIST_FIELDS:
        values = data.get(name)
        if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
            raise _error(path, name, "must be a non-empty list of texts", "må være en liste med tekster")
    allowed = known_services() if services is None else services
    missing = [name for name in data["services"] if name not in allowed]
    if missing:
        raise _error(path, "services", f"names {missing[0]!r}, which is neither a service nor a pilot",
                     f"viser til {missing[0]!r}, som verken er en tjeneste eller en pilot")
    bad = [s for s in data["sources"] if not SOURCE.match(s)]
    if bad:
        raise _error(path, "sources", f"must name sections of domain-facts like '§6.4', not {bad[0]!r}",
                     f"må vise til avsnitt som «§6.4», ikke {bad[0]!r}")
    if type(data.get("last_reviewed")) is not dt.date:
        raise _error(path, "last_reviewed", "must be a date (YYYY-MM-DD)", "må være en dato (ÅÅÅÅ-MM-DD)")
    if not body:
        raise _error(path, "body", "is empty", "er tom")
    return Article(article_id, data["title"].strip(), data["topic"].strip(), data["audience"].strip(), tuple(data["services"]),
                   data["last_reviewed"], tuple(data["sources"]), body)


def load_folder(folder: Path, services: frozenset[str] | None = None) -> dict[str, Article]:
    """Every ``*.md`` article in ``folder`` by id, in file-name order; the first broken one raises."""
    allowed = known_services() if services is None else services
    return {article.id: article for article in (load(path, allowed) for path in sorted(Path(folder).glob("*.md")))}


@lru_cache(maxsize=1)
def _library() -> tuple[Article, ...]:
    return tuple(load_folder(ARTICLES_DIR).values())


def articles() -> dict[str, Article]:
    """The library's articles by id (read once per process)."""
    return {article.id: article for article in _library()}


def article(article_id: str) -> Article:
    """One article of the library; an id it does not hold is an :class:`ArticleError` naming ``article``."""
    found = articles().get(article_id)
    if found is None:
        raise ArticleError(f"article {str(article_id)[:60]!r} is not in the library", "Fant ikke artikkelen.", "article")
    return found
