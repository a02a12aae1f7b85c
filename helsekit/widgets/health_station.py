"""Helsestasjon og skolehelsetjeneste: a child's appointments in the municipal programme, coming ones first,
as a parent (or the young person) may see them (services.health_station). Showing them is a read of record data
that lands in the subject's log of use; outside a kommune that offers the service the panel says so."""

from __future__ import annotations

from helsekit.services import health_station
from helsekit.widgets.common import esc, note, when
from helsekit.widgets.vaccinations import _RecordPanel

PROGRAMME_NB = {"helsestasjon": "Helsestasjon", "skolehelsetjenesten": "Skolehelsetjenesten"}
STATUS_NB = {"gjennomført": "Gjennomført", "ikke_møtt": "Ikke møtt", "planlagt": "Planlagt"}


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


class HealthStationPanel(_RecordPanel):
    """Helsestasjon og skolehelsetjeneste for the subject the actor acts for."""

    css, title = "hk-health-station", "Helsestasjon og skolehelsetjeneste"
    service = staticmethod(health_station.view)
    render = staticmethod(render)
