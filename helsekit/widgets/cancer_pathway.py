"""Pakkeforløp for kreft: the subject's cancer pathways as a timeline against the standard pathway times
(§12.3, §12.4), the forløpskoordinator's card with a box to write to them (§12.2), and the shared decision
aid (samvalgsverktøy), whose answers are sent to the coordinator for the MDT meeting.

Everything goes through :mod:`helsekit.services.cancer_pathways` (Henvisninger: Full tilgang, 16+; writing
needs the right to act). Refusals are shown as their bokmål message; everything shown is escaped.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from helsekit.services import cancer_pathways as service
from helsekit.services.actors import Actor
from helsekit.widgets.common import SessionFactory, call, esc, html, note, now_of, session_factory

NOT_RECORDED = "registreres ikke i historikken"


def _day(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _result(step: service.Milestone, last: bool, today: dt.date) -> str:
    """What happened at ``step``: the day reached against its standard day, or why there is no date."""
    if step.reached_on is not None and step.standard_day == 0:
        return _day(step.reached_on)
    if step.reached_on is not None:
        verdict = "innenfor normtiden" if step.within_standard else "etter normtiden"
        return f"{_day(step.reached_on)} (dag {step.days_used}, {verdict})"
    if not last:
        return NOT_RECORDED
    return "ikke startet ennå" + (", normtiden er passert" if step.target_on < today else "")


def timeline(pathway: service.Pathway, today: dt.date) -> str:
    """One pathway as escaped HTML: the milestones on a line, each with its standard day and date and,
    where the archive dates it, the day it was reached."""
    items = []
    for i, step in enumerate(pathway.milestones):
        kind = "reached" if step.reached_on else "open"
        late = " hk-milestone-late" if step.within_standard is False else ""
        items.append(
            f'<li class="hk-milestone hk-milestone-{kind}{late}" style="margin:0 0 0.5em 0">'
            f"<b>{esc(step.name)}</b><br>Norm: dag {step.standard_day} ({esc(_day(step.target_on))})"
            f"<br>Ditt forløp: {esc(_result(step, i == len(pathway.milestones) - 1, today))}</li>")
    status = "Aktivt" if pathway.active else "Avsluttet"
    steps = "".join(f"<li>{esc(_day(c.at))}: {esc(c.status)}</li>" for c in pathway.history)
    alternative = f"<div><small>{esc(pathway.alternative)}</small></div>" if pathway.alternative else ""
    return (f'<div class="hk-pathway hk-pathway-{pathway.referral_id}">'
            f"<h4>{esc(pathway.name)} ({status.lower()})</h4>"
            f"<div>{esc(pathway.hospital_name or 'Ukjent sykehus')}, henvisningen mottatt {esc(_day(pathway.received_on))}. "
            f"Norm: start av behandling innen {pathway.standard_total_days} dager.</div>{alternative}"
            f'<ol class="hk-pathway-timeline" style="border-left:3px solid #1f4e79;padding-left:1.5em">{"".join(items)}</ol>'
            f"<details><summary>Status for henvisningen</summary><ul>{steps}</ul></details>"
            f"<div><small>Kilde: {esc(pathway.source)}</small></div></div>")


def coordinator_card(pathway: service.Pathway) -> str:
    """The coordinator of ``pathway`` as escaped HTML (or a note that none is registered)."""
    c = pathway.coordinator
    if c is None:
        return note("Forløpet har ingen registrert forløpskoordinator; kontakt sykehuset.")
    return (f'<div class="hk-coordinator-card"><h4>Din forløpskoordinator</h4>'
            f"<div><b>{esc(c.name)}</b>, {esc(c.role)}</div><div>{esc(c.hospital_name or 'Ukjent sykehus')}</div></div>")


class CancerPathwayPanel(w.VBox):
    """The subject's cancer pathways, the coordinator and the decision aid; :meth:`show` switches actor."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-cancer-pathway")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.actor: Actor | None = None
        self.view: service.CancerPathwayView | None = None
        self.status = html("hk-cancer-pathway-status")
        self.pathways = html("hk-cancer-pathway-timeline")
        self.notes = html("hk-cancer-pathway-notes")
        self.coordinator = html("hk-coordinator")
        self.message = w.Textarea(placeholder="Skriv til forløpskoordinatoren", layout=w.Layout(width="40em"))
        self.send_button = w.Button(description="Send melding til forløpskoordinator", button_style="primary",
                                    layout=w.Layout(width="24em"))
        self.send_button.on_click(lambda _: self.send(self.message.value))
        self.contact_status = html("hk-coordinator-status")
        self.contact_box = w.VBox([self.coordinator, self.message, self.send_button, self.contact_status])
        self.contact_box.add_class("hk-coordinator-contact")
        self.aid_intro = html("hk-decision-aid-intro")
        self.matters: dict[str, w.Checkbox] = {}
        self.matters_box = w.VBox()
        self.matters_box.add_class("hk-matters")
        self.leaning = w.RadioButtons(options=[], layout=w.Layout(width="auto"))
        self.leaning.add_class("hk-leaning")
        self.questions = w.Textarea(placeholder="Spørsmål du vil ta opp før beslutningen", layout=w.Layout(width="40em"))
        self.questions.add_class("hk-questions")
        self.share_button = w.Button(description="Del med forløpskoordinatoren", button_style="primary", layout=w.Layout(width="24em"))
        self.share_button.on_click(lambda _: self.share(self.chosen_matters(), self.leaning.value, self.questions.value))
        self.aid_status = html("hk-decision-aid-status")
        self.aid_box = w.VBox([self.aid_intro, html("hk-matters-title", "<b>Hva er viktigst for deg?</b>"), self.matters_box,
                               html("hk-leaning-title", "<b>Hvilken behandling heller du mot nå?</b>"), self.leaning,
                               html("hk-questions-title", "<b>Dine spørsmål</b>"), self.questions, self.share_button, self.aid_status])
        self.aid_box.add_class("hk-decision-aid")
        self.children = [html("hk-cancer-pathway-title", "<h3>Pakkeforløp for kreft</h3>"), self.status, self.pathways,
                         self.notes, self.contact_box, self.aid_box]
        self._hide()
        if actor is not None:
            self.show(actor)

    def _hide(self) -> None:
        self.contact_box.layout.display = self.aid_box.layout.display = "none"

    def show(self, actor: Actor) -> None:
        """Show ``actor``'s pathways (active first), the coordinator of the first and its decision aid."""
        self.actor = actor
        self.status.value = self.contact_status.value = self.aid_status.value = ""
        self.pathways.value = self.notes.value = ""
        self._hide()

        self.view = found = call(self.sessions, self.status, service.view, actor, self.now)
        if found is None:
            return
        if not found.pathways:
            self.status.value = note("Du er ikke i et pakkeforløp for kreft.")
            return
        today = self.now.date()
        self.pathways.value = "".join(timeline(p, today) for p in found.pathways)
        self.notes.value = "".join(f'<div class="hk-pathway-note"><i>{esc(n.text_nb)}</i> <small>({esc(n.source)})</small></div>'
                                   for n in found.notes)
        self.coordinator.value = coordinator_card(found.pathways[0])
        self.contact_box.layout.display = None
        if found.decision_aid is not None:
            self._fill_aid(found.decision_aid)

    def _fill_aid(self, aid: service.DecisionAid) -> None:
        self.aid_intro.value = (f"<h4>{esc(aid.title)}</h4><div><i>{esc(aid.disclaimer)}</i></div>"
                                f"<div>Velg {aid.min_matters}–{aid.max_matters} utsagn, hvilken behandling du heller mot, "
                                "og skriv gjerne spørsmål. Svarene sendes til forløpskoordinatoren.</div>"
                                + "".join(f"<div><b>{esc(o.label)}</b>: {esc(o.about)}</div>" for o in aid.options))
        self.matters = {m.key: w.Checkbox(value=False, description=m.label, indent=False, layout=w.Layout(width="auto")) for m in aid.matters}
        for box in self.matters.values():
            box.add_class("hk-matter")
        self.matters_box.children = list(self.matters.values())
        self.leaning.options = [(o.label, o.key) for o in aid.options]
        self.leaning.value = aid.options[-1].key  # "unsure" until the patient picks
        self.questions.value = ""
        self.aid_box.layout.display = None

    def chosen_matters(self) -> list[str]:
        return [key for key, box in self.matters.items() if box.value]

    def _logged_in(self, status: w.HTML) -> bool:
        if self.actor is None:
            status.value = note("Logg inn først.", "error")
            return False
        return True

    def send(self, text: object) -> service.SentMessage | None:
        """Send ``text`` to the forløpskoordinator."""
        if not self._logged_in(self.contact_status):
            return None
        actor = self.actor
        sent = call(self.sessions, self.contact_status, service.contact_coordinator, actor, text, self.now)
        if sent is not None:
            self.message.value = ""
            self.contact_status.value = note(f"Meldingen er sendt til forløpskoordinator {sent.coordinator_name}.", "ok")
        return sent

    def share(self, matters: object, leaning: object, questions: object) -> service.SentMessage | None:
        """Send the decision aid's answers to the forløpskoordinator (the service checks them)."""
        if not self._logged_in(self.aid_status):
            return None
        actor = self.actor
        answers = {"matters": matters, "leaning": leaning, "questions": questions}
        sent = call(self.sessions, self.aid_status, service.share_decision_aid, actor, answers, self.now)
        if sent is not None:
            self.aid_status.value = note(f"Svarene dine er delt med forløpskoordinator {sent.coordinator_name} "
                                         "og kan tas med til det tverrfaglige møtet.", "ok")
        return sent
