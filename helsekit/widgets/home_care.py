"""Hjemmetjenester: a recipient's visit plan for the coming weeks and the messages with the kommune's home-care
service, with a form to write to it (services.home_care). The recipient or a fullmakt holder uses it; showing the
plan is a read of record data that lands in the subject's log of use."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import home_care
from helsekit.services.actors import Actor
from helsekit.widgets.common import RecordPanel, SessionFactory, call, esc, html, note, when

WEEKDAYS_NB = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
SENDER_NB = {"hjemmetjenesten": "Hjemmetjenesten", "innbygger": "Deg"}
PLAN_DAYS = 14


def visit_table(visits: list[home_care.Visit], now: dt.datetime, days: int = PLAN_DAYS) -> str:
    """The coming ``days`` days' visits as an HTML table; every value is escaped."""
    coming = [v for v in visits if now <= v.starts_at < now + dt.timedelta(days=days)]
    if not coming:
        return note(f"Ingen planlagte besøk de neste {days} dagene.")
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            f"{WEEKDAYS_NB[v.starts_at.weekday()]} {when(v.starts_at)}", home_care.SERVICES_NB.get(v.service, v.service), f"{v.minutes} min")) + "</tr>"
        for v in coming)
    head = "".join(f"<th>{h}</th>" for h in ("Tid", "Tjeneste", "Varighet"))
    return f'<table class="hk-home-care-visits"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def message_list(messages: list[home_care.Message]) -> str:
    """The messages, newest first, as an HTML list; every value is escaped."""
    if not messages:
        return note("Ingen meldinger.")
    items = "".join(f"<li><b>{esc(m.topic)}</b> ({esc(SENDER_NB.get(m.sender, m.sender))}, {esc(when(m.sent_at))}): {esc(m.body)}</li>"
                    for m in messages)
    return f'<ul class="hk-home-care-messages">{items}</ul>'


class HomeCarePanel(RecordPanel):
    """Hjemmetjenester: the plan (``.hk-home-care-visits``), the messages and a form to write (``.hk-home-care-send``)."""

    css, title = "hk-home-care", "Hjemmetjenester"
    service = staticmethod(home_care.view)

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        self.topic = w.Text(description="Emne", layout=w.Layout(width="40em"))
        self.body = w.Textarea(placeholder="Skriv en melding til hjemmetjenesten", layout=w.Layout(width="40em"))
        self.send_button = w.Button(description="Send melding", button_style="primary")
        self.send_button.on_click(lambda _: self.send(self.topic.value, self.body.value))
        self.send_status = html("hk-home-care-send-status")
        self.form = w.VBox([self.topic, self.body, self.send_button, self.send_status])
        self.form.add_class("hk-home-care-send")
        super().__init__(db, actor, now)

    def render(self, found: home_care.HomeCareView) -> str:
        if not found.offer.offered:
            return f'<div class="hk-municipal-not-offered">{note(found.offer.message_nb)}</div>'
        if not found.recipient:
            return note("Du mottar ikke hjemmetjenester fra kommunen.")
        return f"<h4>Besøk de neste {PLAN_DAYS} dagene</h4>{visit_table(found.visits, self.now)}<h4>Meldinger</h4>{message_list(found.messages)}"

    def show(self, actor: Actor) -> None:
        """Read and show the subject's plan and messages; offer the form to a recipient."""
        super().show(actor)
        usable = self.view is not None and self.view.offer.offered and self.view.recipient
        self.children = [*self.children[:3], self.form] if usable else list(self.children[:3])

    def send(self, topic: str, body: str) -> None:
        """Send the message for the actor; on success clear the form and show the messages again."""
        if self.actor is None:
            return
        self.send_status.value = ""
        sent = call(self.sessions, self.send_status, home_care.send_message, self.actor, topic, body, self.now)
        if sent is None:
            return
        self.topic.value, self.body.value = "", ""
        self.show(self.actor)
        self.send_status.value = note("Meldingen er sendt til hjemmetjenesten.", "ok")
