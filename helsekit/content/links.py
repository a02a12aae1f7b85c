"""Which article each service screen offers, in one place.

:data:`LINKS` maps a screen (a service area of :class:`helsekit.services.policy.Service`) and a key on it
to an article id. Keys on the Henvisninger screen are the referral statuses of §6.1 ("Til vurdering" …),
the rights texts' keys of ``synthetic_data/specs/referral_rights.toml`` ("fristbrudd" …) and "pakkeforløp"
for a referral in a cancer pathway; the other screens have one key per section. The widgets ask
:func:`article_ids` for the keys they show; :func:`problems` checks the mapping against the library:
every linked article exists and names the screen among its ``services``, and every article is linked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from helsekit.content.library import Article
from helsekit.services.policy import Service

LINKS: dict[str, dict[str, str]] = {
    Service.REFERRALS: {
        "Til vurdering": "rett-til-vurdering", "Vurdering pågår": "rett-til-vurdering", "Avvist": "rett-til-vurdering",
        "Vurdert": "juridisk-frist", "Time tildelt": "juridisk-frist",
        "Behandling pågår": "henvisningens-status", "Behandling avsluttet": "henvisningens-status",
        "Avsluttet": "henvisningens-status", "Videresendt": "henvisningens-status",
        "til_vurdering": "rett-til-vurdering", "avvist": "rett-til-vurdering",
        "rett_til_helsehjelp": "juridisk-frist", "ung_psykisk_helse": "juridisk-frist",
        "fristbrudd": "fristbrudd", "helfo_varslet": "fristbrudd",
        "fritt_behandlingsvalg": "fritt-behandlingsvalg", "videresendt": "henvisningens-status",
        "behandling": "pasientjournal-og-logg", "pakkeforløp": "pakkeforlop-for-kreft",
    },
    Service.COPAYMENTS: {"frikort": "frikort-og-egenandelstak", "travel": "pasientreiser"},
    Service.PROFILE: {"fullmakt": "fullmakt", "barn": "foreldre-og-barn", "kjernejournal": "kjernejournal",
                      "fastlege": "bytte-fastlege"},
    Service.KJERNEJOURNAL: {"kjernejournal": "kjernejournal"},
    Service.HOSPITAL_RECORD: {"pasientjournal": "pasientjournal-og-logg"},
    Service.ACCESS_LOG: {"logg": "pasientjournal-og-logg"},
}


def article_ids(screen: str, keys: Iterable[str] | None = None, links: Mapping[str, Mapping[str, str]] = LINKS) -> list[str]:
    """The articles ``screen`` offers for ``keys`` (every key of the screen when None), each once, in order;
    a key without an article is passed over (not every status needs one)."""
    own = links.get(screen, {})
    found = [own[key] for key in (own if keys is None else keys) if key in own]
    return list(dict.fromkeys(found))


def problems(articles: Mapping[str, Article], links: Mapping[str, Mapping[str, str]] = LINKS) -> list[str]:
    """What is wrong between ``links`` and ``articles``, one English line each (empty when they agree)."""
    found = []
    for screen, keys in links.items():
        for key, article_id in keys.items():
            article = articles.get(article_id)
            if article is None:
                found.append(f"{screen} ({key}) links to {article_id!r}, which is not an article")
            elif screen not in article.services:
                found.append(f"{screen} ({key}) links to {article_id!r}, whose services do not name {screen}")
    linked = {article_id for keys in links.values() for article_id in keys.values()}
    found += [f"article {article_id!r} is linked from no service screen" for article_id in articles if article_id not in linked]
    return found
