"""Helsestasjon og skolehelsetjeneste: a child's appointments in the municipal programme, coming ones first,
as a parent (or the young person) may see them (services.health_station). Showing them is a read of record data
that lands in the subject's log of use; outside a kommune that offers the service the panel says so. A planned
appointment can be moved to one of the offered times or cancelled (``.hk-health-station-change``)."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import health_station
from helsekit.services.actors import Actor
from helsekit.widgets.common import RecordPanel, SessionFactory, call, esc, html, note, when

PROGRAMME_NB = {"helsestasjon": "Helsestasjon", "skolehelsetjenesten": "Skolehelsetjenesten"}
STATUS_NB = {"gjennomført": "Gjennomført", "ikke_møtt": "Ikke møtt", "planlagt": "Planlagt", "avlyst": "Avlyst"}


def appointment_table(appointments: list[health_station.ProgrammeAppointment], css: str) -> str:
    """The appointments as an HTML table (class ``css``); every value is escaped."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in (
            when(a.starts_at), a.name, PROGRAMME_NB.get(a.programme, a.programme), a.staff, STATUS_NB.get(a.status, a.status))) + "</tr>"
        for a in appointments)
    head = "".join(f"<th>{h}</th>" for h in ("Tid", "Konsultasjon", "Sted", "Møter", "Status"))
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def render(found: health_station.HealthStationView) -> str:
    """The panel's content: the kommune's refusal, or the coming and past appointments."""
    if not found.offer.offered:
        return f'<div class="hk-municipal-not-offered">{note(found.offer.message_nb)}</div>'
    coming = appointment_table(found.coming, "hk-health-station-coming") if found.coming else note("Ingen planlagte timer.")
    past = appointment_table(found.past, "hk-health-station-past") if found.past else note("Ingen tidligere timer.")
    return f"<h4>Kommende timer</h4>{coming}<h4>Tidligere timer</h4>{past}"


class HealthStationPanel(RecordPanel):
    """Helsestasjon og skolehelsetjeneste for the subject the actor acts for."""

    css, title = "hk-health-station", "Helsestasjon og skolehelsetjeneste"
    service = staticmethod(health_station.view)
    render = staticmethod(render)

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        self.appointment = w.Dropdown(description="Time", options=[], layout=w.Layout(width="40em"))
        self.new_time = w.Dropdown(description="Ny tid", options=[], layout=w.Layout(width="40em"))
        self.appointment.observe(lambda _: self._offer_times(), names="value")
        self.move_button = w.Button(description="Flytt time", button_style="primary")
        self.move_button.on_click(lambda _: self.change(self.appointment.value, self.new_time.value))
        self.cancel_button = w.Button(description="Avlys time")
        self.cancel_button.on_click(lambda _: self.change(self.appointment.value, None))
        self.change_status = html("hk-health-station-change-status")
        self.form = w.VBox([self.appointment, self.new_time, w.HBox([self.move_button, self.cancel_button]), self.change_status])
        self.form.add_class("hk-health-station-change")
        super().__init__(db, actor, now)

    def _planned(self) -> list[health_station.ProgrammeAppointment]:
        return [a for a in (self.view.coming if self.view else []) if a.status == "planlagt"]

    def _offer_times(self) -> None:
        chosen = next((a for a in self._planned() if a.appointment_id == self.appointment.value), None)
        times = health_station.alternatives(chosen.starts_at, self.now) if chosen else []
        self.new_time.options = [(when(t), t) for t in times]
        self.new_time.value = times[0] if times else None

    def show(self, actor: Actor) -> None:
        """Read and show the subject's programme; offer moving or cancelling a planned appointment."""
        super().show(actor)
        planned = self._planned()
        self.appointment.options = [(f"{when(a.starts_at)}: {a.name}", a.appointment_id) for a in planned]
        self.appointment.value = planned[0].appointment_id if planned else None
        self._offer_times()
        self.children = [*self.children[:3], self.form] if planned else list(self.children[:3])

    def change(self, appointment_id: int | None, new_start: dt.datetime | None) -> None:
        """Move the appointment to ``new_start``, or cancel it (``new_start`` None); then show the programme again."""
        if self.actor is None or appointment_id is None:
            return
        self.change_status.value = ""
        if new_start is None:
            done = call(self.sessions, self.change_status, health_station.cancel, self.actor, appointment_id, self.now)
        else:
            done = call(self.sessions, self.change_status, health_station.move, self.actor, appointment_id, new_start, self.now)
        if done is None:
            return
        self.show(self.actor)
        self.change_status.value = note("Timen er avlyst." if new_start is None else f"Timen er flyttet til {when(new_start)}.", "ok")
