"""Browser check of helse-og-rettigheter: a word is searched for, the hits are listed with their snippets,
and the best hit opens as an article with the demonstration-content notice. Nothing is written, so the
check compares the page with the library's own search instead of with the database."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.content import search
from helsekit.services import access, roster

WORD = "frikort"


def citizen_for(session: Session, site_id: int) -> int:
    """Any adult on the site's lists: the articles are the same for everyone."""
    today = access.reference_now(session).date()
    return next(p.citizen_id for p in roster.citizens_at(session, site_id, today) if p.age >= 18)


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Search for a word, see the hits with the word marked, and open the best one."""
    best = search.search(WORD)
    assert best, f"the library has no article about {WORD!r}"
    page.locator(".hk-article-query input").fill(WORD)
    page.get_by_role("button", name="Søk i artiklene").click()
    hits = page.locator(".hk-article-hit")
    hits.first.wait_for(timeout=30_000)
    assert hits.count() == len(best)
    assert page.locator(".hk-article-hit mark").first.inner_text().lower().startswith(WORD)
    page.get_by_role("button", name=best[0].title, exact=True).click()
    shown = page.locator(f".hk-article-view .hk-article-{best[0].article_id}")
    shown.wait_for(timeout=30_000)
    assert "Demonstrasjonsinnhold" in shown.inner_text() and best[0].title in shown.inner_text()
