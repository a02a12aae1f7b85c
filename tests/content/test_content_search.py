"""Full-text search over the articles (helsekit.content.search): each article is found by words of its own
body, words match as prefixes with æ, ø and å kept apart from a, o and e, hits are ranked and come with an
escaped snippet, and no query reaches SQLite as syntax."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from helsekit.content import library, search
from helsekit.content.library import Article
from helsekit.content.search import Index, InvalidQuery

WORD = re.compile(r"[^\W_]+")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def all_text(article: Article) -> str:
    return " ".join((article.title, article.topic, article.text))


def made(article_id: str, title: str, body: str) -> Article:
    return Article(article_id, title, "Prøve", "Testene", ("referrals",), dt.date(2026, 11, 27), ("§6.4",), body)


def test_each_article_is_the_only_hit_for_a_word_only_its_body_has():
    articles = library.articles()
    seen_in = Counter(w for a in articles.values() for w in words(all_text(a)))
    for article in articles.values():
        own = sorted(w for w in words(article.text) if seen_in[w] == 1 and len(w) >= 6)
        assert own, f"{article.id} has no word of its own"
        for word in own[:3]:
            hits = search.search(word)
            # a word of its own is no prefix of another article's word either, unless that word starts with it
            others = {a.id for a in articles.values() if a.id != article.id and any(w.startswith(word) for w in words(all_text(a)))}
            assert hits[0].article_id == article.id or hits[0].article_id in others, (word, hits)
            assert article.id in [h.article_id for h in hits]


def test_each_article_is_found_by_several_words_of_its_first_paragraph_together():
    for article in library.articles().values():
        first = [w for w in WORD.findall(article.text.splitlines()[0]) if len(w) >= 5][:4]
        assert article.id in [h.article_id for h in search.search(" ".join(first))], (article.id, first)


def test_a_word_matches_as_a_prefix_and_every_hit_holds_a_word_starting_with_it():
    hits = search.search("fri")
    assert hits
    for hit in hits:
        assert any(w.startswith("fri") for w in words(all_text(library.article(hit.article_id))))
    assert {"frikort-og-egenandelstak", "fritt-behandlingsvalg", "fristbrudd"} <= {h.article_id for h in hits}


def test_o_with_a_stroke_is_a_letter_of_its_own():
    index = Index([made("med-o", "Tittel", "Tekst om dette for alle."), made("med-oe", "Tittel", "Tekst om dette før alle.")])
    assert [h.article_id for h in index.search("før")] == ["med-oe"]
    assert [h.article_id for h in index.search("for")] == ["med-o"]
    assert [h.article_id for h in index.search("FØR")] == ["med-oe"]


def test_a_word_in_the_title_ranks_above_the_same_word_in_a_body():
    index = Index([made("i-teksten", "Om noe annet", "Her står frikort en gang i teksten."),
                   made("i-tittelen", "Frikort", "Her står ordet ikke i teksten.")])
    assert [h.article_id for h in index.search("frikort")] == ["i-tittelen", "i-teksten"]


def test_an_article_that_says_the_word_more_often_ranks_higher():
    index = Index([made("en-gang", "A", "Fastlege og mye annet tekst her som fyller opp linjen."),
                   made("tre-ganger", "B", "Fastlege, fastlege og fastlege her som fyller opp linjen.")])
    assert [h.article_id for h in index.search("fastlege")] == ["tre-ganger", "en-gang"]


def test_the_snippet_marks_the_words_found_and_escapes_the_rest():
    index = Index([made("farlig", "Tittel", 'Teksten <img src=x onerror="alert(1)"> nevner frikort her.')])
    snippet = index.search("frikort")[0].snippet_html
    assert "<mark>frikort</mark>" in snippet
    assert "<img" not in snippet and "&lt;img" in snippet


@pytest.mark.parametrize("query", ["", "   ", '"', "*", "()", "-- ;", "_", "ÆØÅ" * 100, "a " * 20, None, 42])
def test_a_query_without_words_or_too_long_is_refused_in_bokmal(query):
    with pytest.raises(InvalidQuery) as refused:
        search.search(query)
    assert refused.value.field == "query" and refused.value.message_nb


def matching(query: str) -> set[str]:
    """The articles holding, for every word of ``query``, a word that starts with it (worked out without SQLite)."""
    wanted = words(query)
    return {a.id for a in library.articles().values() if all(any(w.startswith(q) for w in words(all_text(a))) for q in wanted)}


@pytest.mark.parametrize("query", ['frikort"', "frikort*", "NEAR(frikort fastlege)", "frikort OR helfo", "NOT frikort",
                                   "title:frikort", "^frikort", "frikort AND", "{title}: frikort", "frikort + -"])
def test_fts_syntax_in_a_query_is_searched_as_plain_words(query):
    assert {h.article_id for h in search.search(query, limit=50)} == matching(query)


@pytest.mark.parametrize("query", ['frikort"', "frikort*", '"frikort', "^frikort", "(frikort)", "frikort + -", "-frikort"])
def test_syntax_characters_around_a_word_still_find_the_article_about_it(query):
    assert search.search(query)[0].article_id == "frikort-og-egenandelstak"


def searched(query: object) -> set[str] | None:
    """The ids the search finds for ``query``, or None when it refuses the query; SQLite's own error fails the test."""
    try:
        return {h.article_id for h in search.search(query, limit=50)}
    except InvalidQuery:
        return None
    except sqlite3.Error as error:  # pragma: no cover - the failure these tests exist to catch
        pytest.fail(f"{query!r} reached SQLite as syntax: {error}")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list('abcdefiklorstæøå "*():^{}-+,.;_\'ÅØ\\NEAROTD0')), max_size=40))
def test_any_query_finds_exactly_the_articles_holding_its_words_or_is_refused(query):
    found = searched(query)
    if found is None:
        assert not 1 <= len(WORD.findall(query)) <= 12
    else:
        assert found == matching(query)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(max_size=30))
def test_no_query_of_any_characters_reaches_sqlite_as_syntax(query):
    searched(query)
