"""The article library (helsekit.content.library): every article loads with its front matter, stays short
and cites domain-facts, and a broken or misnamed article is refused with the field it is about."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from helsekit.content import library
from helsekit.content.library import ArticleError
from helsekit.pilots import discover
from helsekit.services.policy import Service

GOOD = """+++
title = "Prøveartikkel"
topic = "Prøve"
audience = "Testene"
services = {services}
last_reviewed = 2026-11-27
sources = ["§6.4"]
+++
Dette er en **kort** tekst om frister.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_library_holds_about_ten_articles_each_150_to_400_words():
    articles = library.articles()
    assert 10 <= len(articles) <= 15
    for article in articles.values():
        words = len(re.findall(r"\w+", article.text))
        assert 150 <= words <= 400, f"{article.id} has {words} words"


def test_every_article_cites_domain_facts_and_belongs_to_a_service_or_a_pilot():
    services = {s.value for s in Service} | {p.id for p in discover()[0]}
    for article in library.articles().values():
        assert article.sources and all(s.startswith("§") for s in article.sources)
        assert article.services and set(article.services) <= services


def test_every_article_file_says_it_is_demonstration_content():
    for path in sorted(library.ARTICLES_DIR.glob("*.md")):
        assert "Demonstration content" in path.read_text(encoding="utf-8").split("+++")[1], path.name


def test_an_article_naming_a_service_that_does_not_exist_is_refused(tmp_path):
    path = write(tmp_path, "feil-tjeneste", GOOD.format(services='["referrals", "tannlege"]'))
    with pytest.raises(ArticleError) as refused:
        library.load(path)
    assert refused.value.field == "services" and "tannlege" in refused.value.message_en


def test_an_article_may_name_a_pilot_among_its_services(tmp_path):
    path = write(tmp_path, "pilot-tjeneste", GOOD.format(services='["velg-behandlingssted"]'))
    assert library.load(path).services == ("velg-behandlingssted",)


@pytest.mark.parametrize("broken, field", [
    (GOOD.format(services='["referrals"]').replace('title = "Prøveartikkel"\n', ""), "title"),
    (GOOD.format(services="[]"), "services"),
    (GOOD.format(services='["referrals"]').replace('["§6.4"]', '["side 4"]'), "sources"),
    (GOOD.format(services='["referrals"]').replace("2026-11-27", '"i fjor"'), "last_reviewed"),
    (GOOD.format(services='["referrals"]').replace("topic", "emne"), "emne"),
    (GOOD.format(services='["referrals"]').split("+++\nDette")[0] + "+++\n", "body"),
    ("Bare tekst, uten front matter.\n", "front_matter"),
    ("+++\ntitle = \n+++\nTekst.\n", "front_matter"),
])
def test_a_broken_front_matter_is_refused_naming_the_field(tmp_path, broken, field):
    with pytest.raises(ArticleError) as refused:
        library.load(write(tmp_path, "brukket", broken))
    assert refused.value.field == field and refused.value.message_nb


def test_a_file_name_that_is_not_an_article_id_is_refused(tmp_path):
    with pytest.raises(ArticleError) as refused:
        library.load(write(tmp_path, "Store_Bokstaver", GOOD.format(services='["referrals"]')))
    assert refused.value.field == "id"


def test_asking_for_an_article_the_library_does_not_hold_is_an_error_naming_it():
    with pytest.raises(ArticleError) as refused:
        library.article("finnes-ikke")
    assert refused.value.field == "article"


def test_the_articles_are_package_data_so_an_installed_helsekit_has_them():
    project = tomllib.loads((Path(library.__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["helsekit.content"]
    assert any(Path(p).parent.name == library.ARTICLES_DIR.name and p.endswith("*.md") for p in patterns)
