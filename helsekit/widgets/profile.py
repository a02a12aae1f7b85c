"""Profil og innstillinger (§3.5–§3.8, §4.7): fullmakter given and received with "Gi fullmakt", the consent
level (samtykkenivå), the kjernejournal choices (reservations), the notification channel and the contact
details. Only the person themself changes them and a fullmakt holder never sees them (the access policy
decides); every value is checked by :mod:`helsekit.services.profile` and refused in bokmål."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ipywidgets as w

from helsekit.domain.consents import ConsentLevel
from helsekit.services import profile
from helsekit.services.actors import Actor
from helsekit.services.policy import Service
from helsekit.widgets.articles import ArticleLinks
from helsekit.widgets.common import SessionFactory, attempt, call, esc, html, note, now_of, session_factory
from helsekit.widgets.fullmakt import LABELS, FullmaktSection

CONSENT_NB = {ConsentLevel.NONE: "Ingen", ConsentLevel.LIMITED: "Begrenset", ConsentLevel.BASIS: "Basis", ConsentLevel.FULL: "Full"}
CHANNEL_NB = {"epost": "E-post", "sms": "SMS", "begge": "E-post og SMS"}
KJ_CHOICES_NB = (("block_own_web_access", "Sperr tilgangen til kjernejournalen min på Helsenorge"),
                 ("block_health_personnel", "Hindre helsepersonell i å se kjernejournalen min"),
                 ("reserved", "Reserver meg mot å ha kjernejournal"))


def _section(title: str, *parts: w.Widget) -> w.VBox:
    box = w.VBox([html("hk-profile-heading", f"<h4>{esc(title)}</h4>"), *parts])
    box.add_class("hk-profile-section")
    return box


class ProfilePanel(w.VBox):
    """The subject's profile page: fullmakter, samtykke, kjernejournal, varsling and kontaktinformasjon."""

    def __init__(self, db: SessionFactory | str, actor: Actor | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-profile")
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        self.actor: Actor | None = None
        self.settings: profile.Settings | None = None
        self.status = html("hk-profile-status")
        self.about = html("hk-profile-about")
        self.fullmakter = FullmaktSection(self.sessions, self.now)
        self.consent = w.Dropdown(description="Samtykke", style=LABELS, options=[(label, level) for level, label in CONSENT_NB.items()])
        self.kj_choices = {name: w.Checkbox(description=label, indent=False) for name, label in KJ_CHOICES_NB}
        self.channel = w.Dropdown(description="Varsling", style=LABELS, options=[(CHANNEL_NB.get(c, c), c) for c in profile.NOTIFICATION_CHANNELS], value=None)
        self.phone = w.Text(description="Mobil", placeholder="+47 0xxxxxxx", style=LABELS)
        self.email = w.Text(description="E-post", placeholder="navn@example.com", style=LABELS)
        self.body = w.VBox([
            self.about, self.fullmakter,
            _section("Samtykke", html("hk-consent-help", note("Basis gir tilgang til de fleste tjenestene; Full trengs for henvisninger.")),
                     self.consent, self._button("Lagre samtykke", self.save_consent)),
            _section("Kjernejournal", *self.kj_choices.values(), self._button("Lagre valg for kjernejournal", self.save_kjernejournal),
                     ArticleLinks(Service.PROFILE, ("kjernejournal",))),
            _section("Varsling", self.channel, self._button("Lagre varsling", self.save_notifications)),
            _section("Kontaktinformasjon", self.phone, self.email, self._button("Lagre kontaktinformasjon", self.save_contact)),
            ArticleLinks(Service.PROFILE, ("fastlege",)),
        ])
        self.body.layout.display = "none"
        self.children = [html("hk-profile-title", "<h3>Profil og innstillinger</h3>"), self.status, self.body]
        if actor is not None:
            self.show(actor)

    @staticmethod
    def _button(label: str, action: Callable[[], object]) -> w.Button:
        button = w.Button(description=label)
        button.on_click(lambda _: action())
        return button

    def show(self, actor: Actor) -> None:
        self.actor = actor
        self.status.value = ""

        self.settings = call(self.sessions, self.status, profile.settings, actor, self.now)
        if self.settings is None:
            self.body.layout.display = "none"
            self.about.value = ""
            return
        self._fill(self.settings)
        self.fullmakter.show(actor)
        self.body.layout.display = None

    def _fill(self, s: profile.Settings) -> None:
        self.settings = s
        facts = (("Fødselsnummer", s.person_number), ("Mobil", s.phone), ("E-post", s.email),
                 ("Samtykke", CONSENT_NB.get(s.consent_level, s.consent_level)), ("Varsling", CHANNEL_NB.get(s.notification_channel, s.notification_channel)))
        self.about.value = "<ul>" + "".join(f"<li>{label}: {esc(value or 'ikke oppgitt')}</li>" for label, value in facts) + "</ul>"
        self.consent.value = s.consent_level if s.consent_level in CONSENT_NB else ConsentLevel.NONE
        for name, box in self.kj_choices.items():
            box.value = bool(getattr(s, f"kj_{name}"))
        self.channel.value = s.notification_channel if s.notification_channel in profile.NOTIFICATION_CHANNELS else None
        self.phone.value, self.email.value = s.phone or "", s.email or ""

    def _change(self, change: Callable[..., profile.Settings], done: str) -> profile.Settings | None:
        if self.actor is None:
            self.status.value = note("Logg inn først.", "error")
            return None
        actor = self.actor

        def send() -> profile.Settings:
            with self.sessions() as session:
                return change(session, actor)

        self.status.value = ""
        changed = attempt(self.status, send)
        if changed is not None:
            self._fill(changed)
            self.status.value = note(done, "ok")
        return changed

    def save_consent(self) -> profile.Settings | None:
        level = self.consent.value
        return self._change(lambda session, actor: profile.set_consent_level(session, actor, level, self.now),
                            f"Samtykket er endret til {CONSENT_NB.get(level, level)}.")

    def save_kjernejournal(self) -> profile.Settings | None:
        chosen = {name: box.value for name, box in self.kj_choices.items()}
        return self._change(lambda session, actor: profile.set_kjernejournal_choices(session, actor, self.now, **chosen),
                            "Valgene for kjernejournalen er lagret.")

    def save_notifications(self) -> profile.Settings | None:
        channel = self.channel.value
        if channel is None:
            self.status.value = note("Velg hvordan du vil bli varslet.", "error")
            return None
        return self._change(lambda session, actor: profile.set_notifications(session, actor, channel, self.now), "Varslingen er lagret.")

    def save_contact(self) -> profile.Settings | None:
        phone, email = self.phone.value.strip() or None, self.email.value.strip() or None
        return self._change(lambda session, actor: profile.set_contact(session, actor, self.now, phone=phone, email=email),
                            "Kontaktinformasjonen er lagret.")
