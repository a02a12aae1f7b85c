"""Helse og rettigheter in the pilots: the article a service screen offers, and the search page.

* :class:`ArticleLinks` goes on a service screen: for the keys the screen shows (a referral's status, a
  section), one button per article (:mod:`helsekit.content.links` says which), each opening and closing
  the article below it.
* :class:`ArticleSearch` is the search page: a search box, the hits with their snippets, and the article.

Every article is shown with the notice that it is demonstration content and not medical advice, its
last review and its sources. The article's Markdown and the snippets are escaped by
:mod:`helsekit.content`; what a visitor types is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as w

from helsekit.content import library, links, search
from helsekit.content.library import Article
from helsekit.errors import HelsekitError
from helsekit.widgets.common import esc, html, note

NOTICE_NB = ("Demonstrasjonsinnhold skrevet for helsekit, en prototyp med syntetiske data. "
             "Teksten er ikke medisinske råd og erstatter ikke veiledning fra helsepersonell.")
HITS_SHOWN = 10


def article_html(article: Article) -> str:
    """The article as HTML: title, the demonstration notice, the body, the last review and the sources."""
    return (f'<div class="hk-article hk-article-{esc(article.id)}"><h4>{esc(article.title)}</h4>'
            f'<div class="hk-article-notice" style="color:#a00000"><i>{esc(NOTICE_NB)}</i></div>{article.html}'
            f'<div class="hk-article-meta"><small>{esc(article.topic)}. Sist gjennomgått {article.last_reviewed:%d.%m.%Y}. '
            f'Kilder: domain-facts {esc(", ".join(article.sources))}.</small></div></div>')


def read_more(screen: str, keys: Iterable[str]) -> str:
    """A line naming the articles ``screen`` offers for ``keys`` ("Les mer: «…»"), for a card whose buttons are
    further down the screen; empty when there is none."""
    found = library.articles()
    titles = [f"«{esc(found[i].title)}»" for i in links.article_ids(screen, keys) if i in found]
    return f'<div class="hk-read-more"><small>Les mer: {", ".join(titles)} under Helse og rettigheter.</small></div>' if titles else ""


class ArticleLink(w.VBox):
    """A button "Les om: <title>" that opens the article below it, and closes it again."""

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.add_class("hk-article-link")
        self.article = article
        self.button = w.Button(description=f"Les om: {article.title}", layout=w.Layout(width="auto"))
        self.button.on_click(lambda _: self.toggle())
        self.content = html("hk-article-content")
        self.children = [self.button, self.content]

    @property
    def is_open(self) -> bool:
        return bool(self.content.value)

    def toggle(self) -> None:
        """Open the article, or close it when it is open."""
        self.content.value = "" if self.is_open else article_html(self.article)


class ArticleLinks(w.VBox):
    """The articles ``screen`` offers for the keys it shows (all the screen's keys when ``keys`` is None)."""

    def __init__(self, screen: str, keys: Iterable[str] | None = None) -> None:
        super().__init__()
        self.add_class("hk-articles")
        self.screen = screen
        self.links: list[ArticleLink] = []
        self.offer(keys)

    def offer(self, keys: Iterable[str] | None) -> None:
        """Offer the articles for ``keys`` instead of those shown now."""
        found = library.articles()
        self.links = [ArticleLink(found[i]) for i in links.article_ids(self.screen, keys) if i in found]
        title = [html("hk-articles-title", "<b>Helse og rettigheter</b>")] if self.links else []
        self.children = [*title, *self.links]

    @property
    def article_ids(self) -> list[str]:
        return [link.article.id for link in self.links]


class ArticleSearch(w.VBox):
    """Search the articles and read one; works without logging in (:meth:`show` has nothing to change)."""

    def __init__(self) -> None:
        super().__init__()
        self.add_class("hk-article-search")
        # The value arrives on Enter or when the box loses focus (not per keystroke), and is searched for then.
        self.query = w.Text(description="Søk", placeholder="for eksempel frikort eller fastlege", continuous_update=False)
        self.query.add_class("hk-article-query")
        self.query.observe(lambda _: self.search(), names="value")
        self.button = w.Button(description="Søk i artiklene")
        self.button.on_click(lambda _: self.search())
        self.status = html("hk-article-search-status")
        self.hits = w.VBox()
        self.hits.add_class("hk-article-hits")
        self.article = html("hk-article-view")
        self.found: list[search.Hit] = []
        topics = sorted({a.topic for a in library.articles().values()})
        intro = note(f"Les om rettighetene dine og tjenestene på Min helse. Emner: {', '.join(topics)}.")
        self.children = [html("hk-article-search-title", "<h3>Helse og rettigheter</h3>" + intro),
                         w.HBox([self.query, self.button]), self.status, self.hits, self.article]

    def show(self, actor: object) -> None:
        """The page's log-in changes nothing here: the articles are the same for everyone."""

    def search(self) -> list[search.Hit]:
        """Search for what the box holds and list the hits; a query without words is named in bokmål."""
        text = self.query.value
        self.found, self.hits.children, self.article.value = [], [], ""
        try:
            self.found = search.search(text, HITS_SHOWN)
        except HelsekitError as error:
            self.status.value = note(error.message_nb, "error")
            return []
        shown = text.strip()[:60]
        self.status.value = note(f"Fant {len(self.found)} artikler for «{shown}»." if self.found else f"Ingen artikler passer til «{shown}».")
        self.hits.children = [self._hit(hit) for hit in self.found]
        return self.found

    def _hit(self, hit: search.Hit) -> w.VBox:
        button = w.Button(description=hit.title, layout=w.Layout(width="auto"))
        button.on_click(lambda _, article_id=hit.article_id: self.read(article_id))
        row = w.VBox([button, html("hk-article-snippet", f"<small>{hit.snippet_html}</small>")])
        row.add_class("hk-article-hit")
        return row

    def read(self, article_id: str) -> Article | None:
        """Show the article ``article_id``; an id the library does not hold is named in bokmål."""
        try:
            found = library.article(article_id)
        except HelsekitError as error:
            self.status.value = note(error.message_nb, "error")
            return None
        self.article.value = article_html(found)
        return found
