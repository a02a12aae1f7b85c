"""Mine resepter with Forny resept (§10.6): the subject's prescriptions, each with a button asking the
fastlege to renew it; the GP office's offer, the prescription's state and a request already waiting
are the service's to decide, and its refusal is shown in bokmål."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import gp_services, prescriptions
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory

HISTORICAL_SHOWN = 10


def describe(p: prescriptions.Prescription) -> str:
    return f"{p.drug}: {p.usage_nb} ({p.status_nb}, gyldig til {p.valid_until:%d.%m.%Y}, {p.dispensings_left} uttak igjen)"


class PrescriptionRow(w.HBox):
    def __init__(self, panel: PrescriptionsPanel, prescription: prescriptions.Prescription) -> None:
        super().__init__()
        self.add_class("hk-prescription")
        self.prescription = prescription
        soon = " <b>Må fornyes snart.</b>" if prescription.needs_renewal_soon else ""
        self.text = html("hk-prescription-text", esc(describe(prescription)) + soon)
        self.renew_button = w.Button(description="Forny resept")
        self.renew_button.on_click(lambda _: panel.renew(prescription.prescription_id))
        self.children = [self.text, self.renew_button]


class PrescriptionsPanel(w.VBox):
    """The subject's active and recent prescriptions, with Forny resept per prescription."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-prescriptions")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.actor: Actor | None = None
        self.rows: list[PrescriptionRow] = []
        self.status = html("hk-prescriptions-status")
        self.list_box = w.VBox()
        self.children = [html("hk-prescriptions-title", "<h3>Mine resepter</h3>"), self.status, self.list_box]
        if actor is not None:
            self.show(actor)

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value = ""
        self.refresh()

    def refresh(self) -> None:
        actor = self.actor
        found = call(self.sessions, self.status, prescriptions.view, actor, self.now)
        if found is None:
            self.rows, self.list_box.children = [], []
            return
        shown = found.active + [p for p in found.historical if p.discontinued_on is None][:HISTORICAL_SHOWN]
        self.rows = [PrescriptionRow(self, p) for p in shown]
        self.list_box.children = self.rows or [html("hk-none", note("Ingen resepter."))]

    def renew(self, prescription_id: int) -> gp_services.Renewal | None:
        """Ask the fastlege to renew ``prescription_id``."""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        actor = self.actor
        renewal = call(self.sessions, self.status, gp_services.request_renewal, actor, prescription_id, self.now)
        if renewal is not None:
            self.status.value = note(f"Forespørselen om å fornye {renewal.drug} er sendt til fastlegen.", "ok")
        return renewal
