"""The content components (helsekit.widgets.articles) and the service screens that offer them, built
without a browser on the session's tiny database: every screen offers articles about its own service, the
referrals screen the article for each status and rights text it shows, and every article of the library is
offered by some screen; the search page lists hits and opens an article, escaping what the visitor typed."""

from __future__ import annotations

import dataclasses

import ipywidgets as w
import pytest

from helsekit.content import library, links, search
from helsekit.generator import specs
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import NOTICE_NB, ArticleLink, ArticleLinks, ArticleSearch
from helsekit.widgets.common import session_factory
from helsekit.widgets.copayments import FrikortPanel
from helsekit.widgets.profile import ProfilePanel
from helsekit.widgets.records import AccessLogTable, HospitalRecordPanel, KjernejournalPanel
from helsekit.widgets.referrals import ReferralsPanel, article_keys

REFERRED = 30  # in the tiny database (seed 42): a citizen with referrals (as in tests/unit/test_widgets_more.py)
HOSTILE = "<img src=x onerror=alert(1)>"
STATUSES = ("Til vurdering", "Vurdering pågår", "Vurdert", "Time tildelt", "Behandling pågår", "Behandling avsluttet",
            "Avsluttet", "Videresendt", "Avvist")  # domain-facts §6.1


def offered(widget: w.Widget) -> list[str]:
    """The ids of every article the widget (and everything inside it) offers."""
    if isinstance(widget, ArticleLinks):
        return widget.article_ids
    return [i for child in getattr(widget, "children", ()) for i in offered(child)]


@pytest.fixture(scope="module")
def screens(tiny_db) -> dict[str, w.Widget]:
    sessions = session_factory(tiny_db)
    return {Service.COPAYMENTS: FrikortPanel(sessions), Service.PROFILE: ProfilePanel(sessions),
            Service.KJERNEJOURNAL: KjernejournalPanel(sessions), Service.HOSPITAL_RECORD: HospitalRecordPanel(sessions),
            Service.ACCESS_LOG: AccessLogTable(sessions), Service.REFERRALS: ReferralsPanel(sessions, Actor(REFERRED, REFERRED))}


def test_each_service_screen_offers_articles_that_belong_to_its_service(screens):
    for service, screen in screens.items():
        ids = offered(screen)
        assert ids, f"{service} offers no article"
        assert all(service in library.article(i).services for i in ids), (service, ids)


def test_the_referrals_screen_offers_the_article_for_each_status_and_rights_text_it_shows(screens):
    panel = screens[Service.REFERRALS]
    shown = [*panel.view.active, *panel.view.closed]
    assert shown, "citizen 30 of the tiny database should have referrals"
    ids = offered(panel)
    for referral in shown:
        for key in (referral.status, *(text.key for text in referral.rights)):
            assert set(links.article_ids(Service.REFERRALS, [key])) <= set(ids), key


def test_every_article_of_the_library_is_offered_by_some_service_screen(screens):
    panel = screens[Service.REFERRALS]
    first = (panel.view.active or panel.view.closed)[0]
    rights = [dataclasses.replace(first.rights[0], key=key) for key in specs.load("referral_rights")["texts"]] if first.rights else []
    variants = [dataclasses.replace(first, status=status, rights=tuple(rights), pathway="Brystkreft") for status in STATUSES]
    panel.articles.offer(article_keys(dataclasses.replace(panel.view, active=variants, closed=[])))
    reached = {i for screen in screens.values() for i in offered(screen)}
    assert set(library.articles()) <= reached, set(library.articles()) - reached
    panel.show(panel.actor)


def test_an_offered_article_opens_with_the_demonstration_notice_and_closes_again():
    article = library.article(links.LINKS[Service.COPAYMENTS]["frikort"])
    link = ArticleLink(article)
    assert link.content.value == ""
    link.button.click()
    assert article.title in link.content.value and NOTICE_NB.split(".")[0] in link.content.value
    assert all(source in link.content.value for source in article.sources)
    link.button.click()
    assert link.content.value == ""


def test_the_search_page_lists_the_hits_with_snippets_and_opens_the_one_chosen():
    page = ArticleSearch()
    page.query.value = "egenandel"
    expected = search.search("egenandel", 10)
    assert page.search() == expected
    assert len(page.hits.children) == len(expected) and "<mark>" in page.hits.children[0].children[1].value
    page.hits.children[-1].children[0].click()
    assert f"hk-article-{expected[-1].article_id}" in page.article.value and "Demonstrasjonsinnhold" in page.article.value


def test_a_search_without_words_is_refused_in_bokmal_and_lists_nothing():
    page = ArticleSearch()
    page.query.value = '  "*" '
    assert page.search() == [] and page.hits.children == ()
    assert "hk-note-error" in page.status.value and "Skriv minst ett ord" in page.status.value


def test_what_the_visitor_typed_is_shown_escaped():
    page = ArticleSearch()
    for query in (HOSTILE + " frikort", HOSTILE):
        page.query.value = query
        page.search()
        assert "<img" not in page.status.value and "&lt;img" in page.status.value


def test_opening_an_article_the_library_does_not_hold_is_refused_in_bokmal():
    page = ArticleSearch()
    assert page.read(HOSTILE) is None
    assert "Fant ikke artikkelen" in page.status.value and page.article.value == ""


def test_each_referral_card_names_the_article_about_its_status(screens):
    panel = screens[Service.REFERRALS]
    cards = (panel.active.value + panel.closed.value).split('<div class="hk-referral ')
    for referral in [*panel.view.active, *panel.view.closed]:
        card = next(c for c in cards if c.startswith(f'hk-referral-{referral.referral_id}"'))
        title = library.article(links.LINKS[Service.REFERRALS][referral.status]).title
        assert f"Les mer: «{title}»" in card, referral.status
