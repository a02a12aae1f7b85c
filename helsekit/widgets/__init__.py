"""Shared components ("felleskomponenter") for pilot pages: ipywidgets with bokmål labels.

Each component is an ipywidgets box usable on its own in a notebook. It takes a database (a path, or a
callable returning a new sqlmodel Session), an :class:`~helsekit.services.actors.Actor` and ``now``;
it calls only :mod:`helsekit.services` and shows every service refusal as its ``message_nb``.
Everything shown is HTML-escaped. Each root has a CSS class ``hk-…`` as a stable hook for browser tests.

* :mod:`.chrome`: the "Syntetiske data" banner and the page header.
* :mod:`.login`: synthetic log-in and "act as".
* :mod:`.overview`: the Min helse overview tiles.
* :mod:`.appointments`: appointments with book, change, cancel, confirm, ask and .ics download.
* :mod:`.prescriptions`: Mine resepter with Forny resept.
* :mod:`.records`: the kjernejournal and the hospital record (pasientjournal), each opening a logged read, and the log of use.
* :mod:`.profile`: Profil og innstillinger: consent level, kjernejournal reservations, notifications, contact details; with
  :mod:`.fullmakt`: fullmakter given and received, Gi fullmakt, Trekk tilbake.
* :mod:`.threads`: the message threads with the GP office (open, reply) and a new e-consultation.
* :mod:`.referrals`: Henvisninger in two tabs, each referral with its status timeline and rights text.
* :mod:`.copayments`: egenandeler og frikort: this year's bar toward the egenandelstak, the year per source, earlier years.
* :mod:`.treatment_sites`: Velg behandlingssted: hospitals compared by waiting time and fristbrudd, a wish to move a referral.
* :mod:`.cancer_pathway`: pakkeforløp for kreft: the timeline against the standard times, the forløpskoordinator, samvalg.
* :mod:`.vaccinations`: Vaksiner with the autumn influenza reminder, and Prøvesvar with reference ranges, each a logged read.
* :mod:`.sections`: tabs for a long page, one component for ``PilotPage.show`` that tells every tab about the actor.
* :mod:`.page`: what a pilot notebook does first (query string, pilot enabled at the site?).
"""
