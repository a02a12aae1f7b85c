"""Appointments: the future and past lists, free slots with the fastlege to book, and per appointment
confirm, change, cancel and an .ics file to add it to a calendar (a data-URI download link); optionally
only some kinds (e.g. the hospital's), without booking, and with a box to ask about an appointment.

Every action goes through :mod:`helsekit.services.appointments`, which checks the access policy, the
slot and the deadline; the result, or the refusal in bokmål, is shown under the buttons.
"""

from __future__ import annotations

import base64
import datetime as dt

import ipywidgets as w

from helsekit.services import appointments as service
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory, when

PAST_SHOWN = 10
KIND_NB = {"fastlege": "Fastlege", "sykehus": "Sykehus"}
STATUS_NB = {"booked": "bestilt", "cancelled": "avbestilt", "attended": "gjennomført", "no_show": "ikke møtt"}


def ics_link(appointment: service.Appointment, label: str = "Legg til i kalender (.ics)") -> str:
    """An HTML download link carrying the appointment's iCalendar file as a data URI."""
    data = base64.b64encode(service.to_ics(appointment)).decode("ascii")
    name = f"{appointment.ref}.ics"
    return f'<a class="hk-ics" download="{esc(name)}" href="data:text/calendar;base64,{data}">{esc(label)}</a>'


def describe(a: service.Appointment) -> str:
    who = f", {a.practitioner_name}" if a.practitioner_name else ""
    confirmed = ", oppmøte bekreftet" if a.confirmed else ""
    return f"{when(a.start)}: {KIND_NB.get(a.kind, a.kind)}, {a.site_name or 'ukjent sted'}{who} ({STATUS_NB.get(a.status, a.status)}{confirmed})"


class AppointmentRow(w.VBox):
    """One future appointment with its buttons."""

    def __init__(self, panel: AppointmentsPanel, appointment: service.Appointment) -> None:
        super().__init__()
        self.panel, self.appointment = panel, appointment
        self.add_class("hk-appointment")
        self.add_class(f"hk-appointment-{appointment.ref}")
        self.text = html("hk-appointment-text", f"{esc(describe(appointment))} {ics_link(appointment)}")
        self.confirm_button = w.Button(description="Bekreft oppmøte", disabled=appointment.confirmed)
        self.cancel_button = w.Button(description="Avbestill", button_style="danger")
        self.change_button = w.Button(description="Endre tid")
        self.new_time = w.Dropdown(description="Ny tid", options=[])
        self.move_button = w.Button(description="Flytt til valgt tid")
        self.move_box = w.HBox([self.new_time, self.move_button])
        self.move_box.layout.display = "none"
        self.confirm_button.on_click(lambda _: panel.confirm(appointment.ref))
        self.cancel_button.on_click(lambda _: panel.cancel(appointment.ref))
        self.change_button.on_click(lambda _: self.offer_times())
        self.move_button.on_click(lambda _: panel.change(appointment.ref, self.new_time.value))
        self.children = [self.text, w.HBox([self.confirm_button, self.change_button, self.cancel_button]), self.move_box]

    def offer_times(self) -> None:
        """Show the free times this appointment can be moved to."""
        slots = self.panel.slots_for(self.appointment.ref)
        if slots is None:
            return
        self.new_time.options = [(when(s.start), s.start) for s in slots]
        self.move_box.layout.display = None


class AppointmentsPanel(w.VBox):
    """Appointments of the person an actor acts for; :meth:`show` switches to another actor.

    ``kinds`` lists only those kinds (``fastlege``, ``sykehus``; None: all); ``booking`` offers the
    fastlege's free slots; ``questions`` adds a box to ask the site about one of the listed appointments.
    """

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None, days: int = 14,
                 kinds: tuple[str, ...] | None = None, booking: bool = True, questions: bool = False) -> None:
        super().__init__()
        self.add_class("hk-appointments")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.days = days
        self.kinds, self.booking = kinds, booking
        self.actor: Actor | None = None
        self.rows: list[AppointmentRow] = []
        self.status = html("hk-appointments-status")
        self.future_box = w.VBox()
        self.future_box.add_class("hk-future")
        self.past = html("hk-past")
        self.slot = w.Dropdown(description="Ledig time", options=[])
        self.book_button = w.Button(description="Bestill time", button_style="primary")
        self.book_button.on_click(lambda _: self.book(self.slot.value))
        self.book_box = w.VBox([html("hk-book-title", "<b>Bestill time hos fastlegen</b>"), w.HBox([self.slot, self.book_button])])
        self.book_box.add_class("hk-book")
        self.about = w.Dropdown(description="Gjelder", options=[], layout=w.Layout(width="40em"))
        self.question_text = w.Textarea(placeholder="Skriv spørsmålet ditt", layout=w.Layout(width="40em"))
        self.ask_button = w.Button(description="Send spørsmål")
        self.ask_button.on_click(lambda _: self.ask(self.about.value, self.question_text.value))
        self.question_box = w.VBox([html("hk-question-title", "<b>Spørsmål om en time</b>"), self.about, self.question_text, self.ask_button])
        self.question_box.add_class("hk-question")
        if not booking:
            self.book_box.layout.display = "none"
        if not questions:
            self.question_box.layout.display = "none"
        self.children = [self.status, html("hk-future-title", "<h3>Kommende timer</h3>"), self.future_box,
                         self.book_box, html("hk-past-title", "<h3>Tidligere timer</h3>"), self.past, self.question_box]
        if actor is not None:
            self.show(actor)

    # --- reading ---------------------------------------------------------------------------------

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s appointments and free slots."""
        self.actor = actor
        self.status.value = ""
        self.refresh()

    def refresh(self) -> None:
        if self.actor is None:
            return
        actor = self.actor
        found = call(self.sessions, self.status, service.list_appointments, actor, self.now)
        if found is None:
            self.future_box.children, self.past.value, self.slot.options, self.rows = [], "", [], []
            self.book_box.layout.display = "none"
            return
        future = [a for a in found.future if self.kinds is None or a.kind in self.kinds]
        self.rows = [AppointmentRow(self, a) for a in future]
        self.future_box.children = self.rows or [html("hk-none", note("Ingen kommende timer."))]
        shown = [a for a in found.past if self.kinds is None or a.kind in self.kinds][:PAST_SHOWN]
        self.about.options = [(describe(a), a.ref) for a in future + shown]
        self.about.index = 0 if self.about.options else None  # ipywidgets selects nothing after new options
        self.past.value = ("<ul>" + "".join(f"<li>{esc(describe(a))}</li>" for a in shown) + "</ul>") if shown else note("Ingen tidligere timer.")
        if self.booking:
            self._load_slots()

    def _load_slots(self) -> None:
        actor = self.actor
        status = html("hk-scratch")
        slots = call(self.sessions, status, service.free_slots, actor, self.now, self.days)
        if slots is None:  # e.g. no fastlege: nothing to book, and the reason is shown in the booking box
            self.slot.options = []
            self.book_box.children = [self.book_box.children[0], status]
            return
        self.slot.options = [(when(s.start), s.start) for s in slots]
        self.slot.index = 0 if slots else None  # ipywidgets selects nothing after new options
        self.book_box.children = [self.book_box.children[0], w.HBox([self.slot, self.book_button])]
        self.book_box.layout.display = None

    def slots_for(self, ref: str) -> list[service.Slot] | None:
        actor = self.actor
        return call(self.sessions, self.status, service.free_slots, actor, self.now, self.days, appointment=ref)

    # --- acting ----------------------------------------------------------------------------------

    def _act(self, action, done: str) -> service.Appointment | None:
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        actor = self.actor
        result = call(self.sessions, self.status, action, actor)
        if result is not None:
            self.refresh()
            self.status.value = note(f"{done}: {describe(result)}", "ok") + ics_link(result)
        return result

    def book(self, start: object) -> service.Appointment | None:
        """Book the free slot at ``start`` with the fastlege."""
        if not isinstance(start, dt.datetime):
            self.status.value = note("Velg en ledig time.", "error")
            return None
        return self._act(lambda s, a: service.book(s, a, start, self.now), "Timen er bestilt")

    def change(self, ref: str, start: object) -> service.Appointment | None:
        """Move appointment ``ref`` to the free slot at ``start``."""
        if not isinstance(start, dt.datetime):
            self.status.value = note("Velg en ny tid.", "error")
            return None
        return self._act(lambda s, a: service.change(s, a, ref, start, self.now), "Timen er flyttet")

    def cancel(self, ref: str) -> service.Appointment | None:
        """Cancel appointment ``ref``."""
        return self._act(lambda s, a: service.cancel(s, a, ref, self.now), "Timen er avbestilt")

    def ask(self, ref: object, text: object) -> service.Question | None:
        """Ask the site about appointment ``ref`` (one of the listed ones): a new thread in the inbox."""
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        if ref not in dict((v, k) for k, v in self.about.options):
            self.status.value = note("Velg en av timene i listen.", "error")
            return None
        actor = self.actor
        question = call(self.sessions, self.status, service.ask, actor, str(ref), str(text), self.now)
        if question is not None:
            self.question_text.value = ""
            self.status.value = note("Spørsmålet er sendt; svaret kommer i innboksen.", "ok")
        return question

    def confirm(self, ref: str) -> service.Appointment | None:
        """Confirm attendance at appointment ``ref``."""
        return self._act(lambda s, a: service.confirm(s, a, ref, self.now), "Oppmøte er bekreftet")
