"""Browser check of the Min helse overview pilot (run by tests/browser/test_pilot_actions.py): in the tab
Journaler open the kjernejournal and the hospital record, in Egenandeler look at this year and
the latest earlier year, and in Profil give a fullmakt to another adult."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import Session

from helsekit.services import access, actors, copayments, kjernejournal, profile, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

WAIT_MS = 30_000


def _may_give_or_hold(session, citizen_id: int, on) -> bool:
    """Not behind a confidential address (§3.7) and with a consent level (both needed to give a fullmakt, §3.5)."""
    person = actors.person(session, citizen_id, on)
    return not person.protected and person.consent_level in ("basis", "full")


def citizen_for(session, site_id: int) -> int:
    """An adult on the office's lists, who looks at their own kjernejournal and may give a fullmakt."""
    today = access.reference_now(session).date()
    people = roster.citizens_at(session, site_id, today)
    return next(p.citizen_id for p in people if 20 <= p.age <= 70 and _may_give_or_hold(session, p.citizen_id, today))


def holder_for(db: str, site_id: int, citizen_id: int) -> tuple[int, str, str]:
    """Another adult on the office's lists who holds no fullmakt from the citizen: (id, name, person number)."""
    with Session(engine_for(db)) as session:
        now = access.reference_now(session)
        holders = {f.holder_id for f in profile.fullmakter(session, Actor(citizen_id), now).given}
        people = roster.citizens_at(session, site_id, now.date())
        chosen = next(p for p in people if 20 <= p.age <= 70 and p.citizen_id != citizen_id and p.citizen_id not in holders
                      and _may_give_or_hold(session, p.citizen_id, now.date()))
        return chosen.citizen_id, chosen.name, profile.settings(session, Actor(chosen.citizen_id), now).person_number


def _given(db: str, citizen_id: int) -> list[profile.FullmaktView]:
    with Session(engine_for(db)) as session:
        return profile.fullmakter(session, Actor(citizen_id), access.reference_now(session)).given


def _reads(db: str, citizen_id: int) -> list:
    with Session(engine_for(db)) as session:
        return kjernejournal.reads(session, citizen_id)


def _own_reads(db: str, citizen_id: int, record: str) -> int:
    return sum(r.actor_id == citizen_id and r.record == record for r in _reads(db, citizen_id))


def _copayments(db: str, citizen_id: int) -> copayments.CopaymentsView:
    with Session(engine_for(db)) as session:
        return copayments.view(session, Actor(citizen_id), access.reference_now(session))


def _kroner(amount: int) -> str:
    """As the page writes it, with its non-breaking spaces read as plain ones: "3 278 kr"."""
    return f"{amount:,}".replace(",", " ") + " kr"


def _text(locator) -> str:
    return locator.inner_text(timeout=WAIT_MS).replace("\u00a0", " ")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """In Journaler, press "Åpne kjernejournal" and "Åpne pasientjournal"; the page shows each and each read is
    in the database's log of use. The frikort panel shows this year's paid amount and ceiling as the
    copayments service computes them, and choosing the latest earlier year with payments shows what was paid
    that year, in words and as a curve. In Profil, a fullmakt given to another adult by person number is
    shown on the page and held in the database."""
    page.get_by_role("tab", name="Journaler").click(timeout=WAIT_MS)
    before = len(_reads(db, citizen_id))
    hospital_before = _own_reads(db, citizen_id, "pasientjournal")
    page.get_by_role("button", name="Åpne kjernejournal").click(timeout=WAIT_MS)
    page.get_by_text("oppslaget står nå i logg over bruk").first.wait_for(timeout=WAIT_MS)
    assert "Kritisk informasjon" in page.locator(".hk-kjernejournal").inner_text()
    reads = _reads(db, citizen_id)
    assert len(reads) == before + 1 and any(r.actor_id == citizen_id and r.record == "kjernejournal" for r in reads)
    logged = page.locator(".hk-access-log .hk-log tbody tr").filter(has_text="Helsenorge").filter(has_text="pasientjournal")
    shown_before = logged.count()
    page.get_by_role("button", name="Åpne pasientjournal").click(timeout=WAIT_MS)
    page.locator(".hk-hospital-record-status", has_text="Pasientjournalen er åpnet").wait_for(timeout=WAIT_MS)
    assert len(_reads(db, citizen_id)) == before + 2 and _own_reads(db, citizen_id, "pasientjournal") == hospital_before + 1
    expect(logged).to_have_count(shown_before + 1, timeout=WAIT_MS)  # the read shows at once in "Logg over bruk"

    page.get_by_role("tab", name="Egenandeler").click(timeout=WAIT_MS)
    seen = _copayments(db, citizen_id)
    now = seen.this_year
    amounts = page.locator(".hk-frikort .hk-frikort-amounts")
    shown = _text(amounts)
    assert f"Betalt i {now.year}: {_kroner(now.counted)}." in shown and f"Egenandelstak: {_kroner(now.ceiling)}." in shown
    assert (f"Igjen til frikort: {_kroner(now.left)}." in shown) == (now.frikort is None)
    earlier = next((y for y in seen.years if y.year != now.year), None)
    assert earlier is not None, f"citizen {citizen_id} has no earlier year of egenandeler to choose"
    page.locator(".hk-frikort-year select").select_option(label=str(earlier.year), timeout=WAIT_MS)
    page.locator(".hk-frikort-amounts", has_text=f"Betalt i {earlier.year}:").wait_for(timeout=WAIT_MS)
    assert f"Betalt i {earlier.year}: {_kroner(earlier.charged)}." in _text(amounts)
    assert _kroner(earlier.charged) in _text(page.locator(".hk-frikort-by-source"))
    curve = page.locator(f'.hk-frikort-curve svg[aria-label*="betalt i {earlier.year},"]')
    curve.wait_for(timeout=WAIT_MS)
    assert f"{_kroner(earlier.charged)} per" in curve.get_attribute("aria-label").replace("\u00a0", " ")

    page.get_by_role("tab", name="Profil").click(timeout=WAIT_MS)
    holder_id, holder_name, number = holder_for(db, site_id, citizen_id)
    page.locator(".hk-give-fullmakt input[type=text]").fill(number, timeout=WAIT_MS)
    page.get_by_role("button", name="Gi fullmakt").click(timeout=WAIT_MS)
    page.locator(".hk-fullmakt-status", has_text=f"Fullmakt gitt til {holder_name}").wait_for(timeout=WAIT_MS)
    assert holder_name in _text(page.locator(".hk-fullmakter-given"))
    assert [f.holder_id for f in _given(db, citizen_id)].count(holder_id) == 1
