"""Henvisninger: the subject's referrals in two tabs (Aktive, Avsluttede), each with its status timeline
(§6.1), referrer and hospital, the rights text for its phase with the § it rests on, and the appointments
that follow from it (:func:`helsekit.services.referrals.view`, which needs Full tilgang; a refusal is
shown in bokmål). Everything shown is escaped.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import referrals
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import ArticleLinks, read_more
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory, when

TAB_TITLES = ("Aktive henvisninger", "Avsluttede henvisninger")
VISIT_NB = {"booked": "bestilt", "attended": "gjennomført", "no_show": "ikke møtt"}


def _day(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def timeline(referral: referrals.Referral) -> str:
    """The referral's statuses, oldest first, the current one marked, as an escaped HTML list."""
    last = len(referral.history) - 1
    items = "".join(
        f'<li class="hk-status{" hk-status-current" if i == last else ""}">{esc(_day(change.at))}: '
        f'{"<b>" + esc(change.status) + "</b>" if i == last else esc(change.status)}</li>'
        for i, change in enumerate(referral.history))
    return f'<ol class="hk-timeline">{items}</ol>'


def article_keys(found: referrals.ReferralsView) -> list[str]:
    """What the referrals shown need explained: each status, each rights text and a pakkeforløp (content.links)."""
    keys = []
    for r in (*found.active, *found.closed):
        keys += [r.status, *(text.key for text in r.rights)] + (["pakkeforløp"] if r.pathway else [])
    return keys


def card(referral: referrals.Referral) -> str:
    """One referral as HTML: who sent it where, the timeline, the rights texts and the appointments."""
    parts = [f'<div class="hk-referral hk-referral-{referral.referral_id}">',
             f"<h4>{esc(referral.hospital_name or 'Ukjent sykehus')}: {esc(referral.status)}</h4>",
             f"<div>Henvist av {esc(referral.referrer_name or 'ukjent')}"
             f"{', ' + esc(referral.referrer_office_name) if referral.referrer_office_name else ''}, "
             f"sendt {esc(_day(referral.sent_on))}, mottatt {esc(_day(referral.received_on))}</div>"]
    if referral.treatment_name:
        parts.append(f'<div class="hk-referral-treatment">Gjelder: {esc(referral.treatment_name)}</div>')
    if referral.legal_deadline:
        parts.append(f"<div>Frist for å starte helsehjelp: <b>{esc(_day(referral.legal_deadline))}</b></div>")
    if referral.pathway:
        parts.append(f"<div>Pakkeforløp: {esc(referral.pathway)}</div>")
    parts.append(timeline(referral))
    parts.append(read_more(Service.REFERRALS, [referral.status]))
    for text in referral.rights:
        parts.append(f'<div class="hk-rights"><i>{esc(text.text_nb)}</i> <small>({esc(text.source)})</small></div>')
    if referral.appointments:
        visits = "".join(f"<li>{esc(when(a.start))}, {esc(a.hospital_name or '')} ({esc(VISIT_NB.get(a.status, a.status))})</li>"
                         for a in referral.appointments)
        parts.append(f'<div>Timer:</div><ul class="hk-referral-visits">{visits}</ul>')
    parts.append("</div>")
    return "".join(parts)


class ReferralsPanel(w.VBox):
    """The subject's referrals in the two tabs of §6.2; :meth:`show` switches to another actor."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-referrals")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.actor: Actor | None = None
        self.view: referrals.ReferralsView | None = None
        self.status = html("hk-referrals-status")
        self.active = html("hk-referrals-active")
        self.closed = html("hk-referrals-closed")
        self.tabs = w.Tab(children=[self.active, self.closed])
        for i, title in enumerate(TAB_TITLES):
            self.tabs.set_title(i, title)
        self.articles = ArticleLinks(Service.REFERRALS, ())
        self.children = [html("hk-referrals-title", "<h3>Henvisninger</h3>"), self.status, self.tabs, self.articles]
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s referrals (the tab Aktive first)."""
        self.actor = actor
        self.status.value = ""

        self.view = call(self.sessions, self.status, referrals.view, actor, self.now)
        found = self.view
        self.articles.offer(article_keys(found) if found is not None else ())
        if found is None:
            self.active.value = self.closed.value = ""
            return
        self.active.value = "".join(card(r) for r in found.active) or note("Ingen aktive henvisninger.")
        self.closed.value = "".join(card(r) for r in found.closed) or note("Ingen avsluttede henvisninger.")
        self.tabs.selected_index = 0
