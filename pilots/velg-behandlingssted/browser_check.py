"""Browser check of velg-behandlingssted: the comparison table is drawn for the citizen's referral, sorted by
distance from the page, a hospital is chosen and the wish to move the referral is sent; the page confirms
it and the database holds exactly that wish. Then a treatment is chosen: only the sites offering it are
listed (fedmekirurgi: the four regional hospitals, treatments.toml), and sorting by name orders them."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.errors import HelsekitError
from helsekit.services import access, actors, roster, treatment_sites
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for


def citizen_for(session: Session, site_id: int) -> int:
    """Someone 16 or older on the office's lists, acting only for themself, with a referral whose site can still be chosen."""
    now = access.reference_now(session)
    for person in roster.citizens_at(session, site_id, now.date()):
        if person.age < 16 or len(actors.acting_choices(session, person.citizen_id, now.date())) != 1:
            continue
        try:
            if treatment_sites.choosable_referrals(session, Actor(person.citizen_id, person.citizen_id), now):
                return person.citizen_id
        except HelsekitError:  # e.g. a consent level below Full tilgang (§3.5): not this person
            continue
    raise LookupError(f"no one at site {site_id} has a referral whose treatment site can be chosen")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Sort by distance, choose the first offered hospital and send the wish; check page and database."""
    box = page.locator(".hk-treatment-sites")
    box.locator("tr.hk-site-row").first.wait_for(timeout=30_000)
    assert "har henvisningen din" in box.locator(".hk-site-table").inner_text()
    box.get_by_role("button", name="Avstand").click()
    page.wait_for_function("() => document.querySelector('.hk-site-table td:nth-child(8)')"
                           " && [...document.querySelectorAll('.hk-site-table tr.hk-site-row td:nth-child(8)')]"
                           ".map(td => parseInt(td.innerText) || 0).every((km, i, all) => i === 0 || all[i - 1] <= km)")
    chosen = box.locator(".hk-site-choice select")
    # Choose explicitly: right after the re-sort the drawn <select> may briefly show another option as checked
    # than the kernel holds, so reading the checked option alone races with the widget's update.
    chosen.select_option(index=0)
    label = chosen.locator("option:checked").inner_text().replace("\xa0", " ")  # ipywidgets draws spaces as no-break spaces
    box.get_by_role("button", name="Send ønske om bytte").click()
    page.locator(".hk-treatment-sites-status", has_text="er sendt").wait_for(timeout=30_000)
    page.locator(".hk-site-changes", has_text=label.split(" (")[0]).wait_for(timeout=30_000)
    with Session(engine_for(db)) as session:
        sent = treatment_sites.changes(session, Actor(citizen_id, citizen_id), access.reference_now(session))
    assert len(sent) == 1 and label.startswith(sent[0].to_hospital_name + " ("), (label, sent)

    box.locator(".hk-treatment-choice select").select_option(label="Fedmekirurgi")
    box.locator(".hk-treatment-table tr.hk-treatment-row").first.wait_for(timeout=30_000)
    assert box.locator(".hk-treatment-table tr.hk-treatment-row").count() == 4
    assert "Kan gi rett til helsehjelp" in box.locator(".hk-treatment-table").inner_text()
    box.get_by_role("button", name="Navn").click()
    page.wait_for_function("() => { const names = [...document.querySelectorAll('.hk-treatment-table tr.hk-treatment-row td:first-child')]"
                           ".map(td => td.innerText); return names.length === 4 && names.every((n, i) => i === 0 || names[i - 1] <= n); }",
                           timeout=30_000)
