"""Helse og rettigheter: the portal's editorial content (issue #9 point 1).

* :mod:`.library`: the articles (Markdown with TOML front matter under ``articles/``), loaded and checked.
* :mod:`.markdown`: the small Markdown subset the articles are written in, rendered to escaped HTML.
* :mod:`.search`: full-text search over the articles with SQLite FTS5 (in memory, built once per process).
* :mod:`.links`: which article each service screen (and each referral status) offers.

Every article is demonstration content written for helsekit from the facts in the project's
domain-facts notes (each cites its § in ``sources``); none of it is medical advice.
"""
