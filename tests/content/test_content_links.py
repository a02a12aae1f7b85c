"""Links from the service screens to the articles (helsekit.content.links): every article is offered by at
least one screen, every link leads to an article that names that screen, and a broken link or article is
caught (shown with a temporary article folder and link table)."""

from __future__ import annotations

from helsekit.content import library, links
from helsekit.services.policy import Service

ARTICLE = """+++
title = "Midlertidig"
topic = "Prøve"
audience = "Testene"
services = ["copayments"]
last_reviewed = 2026-11-27
sources = ["§2.5"]
+++
Tekst.
"""


def test_every_article_is_offered_by_a_service_screen_and_every_link_reaches_an_article_of_that_screen():
    assert links.problems(library.articles()) == []


def test_every_referral_status_of_the_portal_offers_an_article():
    statuses = ("Til vurdering", "Vurdering pågår", "Vurdert", "Time tildelt", "Behandling pågår",
                "Behandling avsluttet", "Avsluttet", "Videresendt", "Avvist")  # domain-facts §6.1
    assert all(links.article_ids(Service.REFERRALS, [status]) for status in statuses)


def test_a_link_to_a_missing_article_is_caught(tmp_path):
    (tmp_path / "midlertidig.md").write_text(ARTICLE, encoding="utf-8")
    found = library.load_folder(tmp_path)
    bad = {Service.COPAYMENTS: {"frikort": "midlertidig", "travel": "finnes-ikke"}}
    assert links.problems(found, bad) == ["copayments (travel) links to 'finnes-ikke', which is not an article"]


def test_an_article_no_screen_links_to_is_caught(tmp_path):
    (tmp_path / "midlertidig.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "glemt.md").write_text(ARTICLE, encoding="utf-8")
    problems = links.problems(library.load_folder(tmp_path), {Service.COPAYMENTS: {"frikort": "midlertidig"}})
    assert problems == ["article 'glemt' is linked from no service screen"]


def test_a_link_from_a_screen_the_article_does_not_name_is_caught(tmp_path):
    (tmp_path / "midlertidig.md").write_text(ARTICLE, encoding="utf-8")
    problems = links.problems(library.load_folder(tmp_path), {Service.PROFILE: {"fullmakt": "midlertidig"}})
    assert problems == ["profile (fullmakt) links to 'midlertidig', whose services do not name profile"]


def test_a_screen_offers_each_article_once_in_the_order_of_its_keys():
    keys = ["Vurdert", "fristbrudd", "Time tildelt", "ukjent nøkkel"]
    assert links.article_ids(Service.REFERRALS, keys) == [links.LINKS[Service.REFERRALS]["Vurdert"], links.LINKS[Service.REFERRALS]["fristbrudd"]]
