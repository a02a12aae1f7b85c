"""Browser check of the Min helse overview pilot (run by tests/browser/test_pilot_actions.py): open the
kjernejournal, then look at egenandeler og frikort for this year and for the latest earlier year."""

from __future__ import annotations

from sqlmodel import Session

from helsekit.services import access, copayments, kjernejournal, roster
from helsekit.services.actors import Actor
from helsekit.storage.database import engine_for

WAIT_MS = 30_000


def citizen_for(session, site_id: int) -> int:
    """An adult on the office's lists, who looks at their own kjernejournal."""
    people = roster.citizens_at(session, site_id, access.reference_now(session).date())
    return next(p.citizen_id for p in people if 20 <= p.age <= 70)


def _reads(db: str, citizen_id: int) -> list:
    with Session(engine_for(db)) as session:
        return kjernejournal.reads(session, citizen_id)


def _copayments(db: str, citizen_id: int) -> copayments.CopaymentsView:
    with Session(engine_for(db)) as session:
        return copayments.view(session, Actor(citizen_id), access.reference_now(session))


def _kroner(amount: int) -> str:
    """As the page writes it, with its non-breaking spaces read as plain ones: "3 278 kr"."""
    return f"{amount:,}".replace(",", " ") + " kr"


def _text(locator) -> str:
    return locator.inner_text(timeout=WAIT_MS).replace("\u00a0", " ")


def main_action(page, db: str, site_id: int, citizen_id: int) -> None:
    """Press "Åpne kjernejournal"; the page shows it and the read is in the database's log of use. The frikort
    panel shows this year's paid amount and ceiling as the copayments service computes them, and choosing
    the latest earlier year with payments shows what was paid that year, in words and as a curve."""
    before = len(_reads(db, citizen_id))
    page.get_by_role("button", name="Åpne kjernejournal").click()
    page.get_by_text("oppslaget står nå i logg over bruk").first.wait_for(timeout=WAIT_MS)
    assert "Kritisk informasjon" in page.locator(".hk-kjernejournal").inner_text()
    reads = _reads(db, citizen_id)
    assert len(reads) == before + 1 and any(r.actor_id == citizen_id and r.record == "kjernejournal" for r in reads)

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
