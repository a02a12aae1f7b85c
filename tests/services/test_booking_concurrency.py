"""50 people try to book the same fastlege slot at the same moment, from threads and from separate
processes: exactly one gets it, the other 49 are told the slot is taken, and the table holds exactly
the one booking. The database's unique index decides, on SQLite and, when HELSEKIT_TEST_POSTGRES_URL
names a database, on PostgreSQL (in CI a missing server is a failure, not a skip).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import shutil
import threading

import pytest
from sqlmodel import Session, func, select

from helsekit.domain.bookings import Booking, BookingStatus
from helsekit.domain.gp_lists import GpListMembership
from helsekit.errors import SlotTaken
from helsekit.generator import generate_database
from helsekit.services import access, appointments, policy
from helsekit.services.actors import Actor, facts
from helsekit.storage.database import engine_for

URL = os.environ.get("HELSEKIT_TEST_POSTGRES_URL")
ATTEMPTS = 50
WAIT = 60  # seconds a barrier or a result may take before the test fails instead of hanging


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request, tmp_path_factory) -> str:
    """The default SQLite database (a private copy), or the `tiny` profile generated into PostgreSQL."""
    if request.param == "sqlite":
        target = tmp_path_factory.mktemp("concurrency") / "helsekit.db"
        shutil.copy(request.getfixturevalue("default_db"), target)
        return str(target)
    if not URL:
        if os.environ.get("CI"):
            pytest.fail("HELSEKIT_TEST_POSTGRES_URL is not set: .ci/run should have started PostgreSQL")
        pytest.skip("set HELSEKIT_TEST_POSTGRES_URL to a PostgreSQL database to run the concurrency test there")
    generate_database("tiny", 42, URL, progress=False)
    return URL


def _contenders(db: str) -> tuple[list[int], dt.datetime, dt.datetime]:
    """ATTEMPTS bookers on the longest GP list who may book for themselves, a free slot of that list, and now.

    Different citizens where the list has enough of them (default: 50); `tiny` lists have about 30,
    so there some of them try twice, as if from two browser tabs.
    """
    engine = engine_for(db)
    with Session(engine) as session:
        now = access.reference_now(session)
        current = (GpListMembership.valid_from <= now.date()) & (GpListMembership.valid_to.is_(None) | (GpListMembership.valid_to >= now.date()))
        gp_list = session.exec(select(GpListMembership.gp_list_id).where(current).group_by(GpListMembership.gp_list_id)
                               .order_by(func.count().desc(), GpListMembership.gp_list_id)).first()
        members = session.exec(select(GpListMembership.citizen_id).where(current, GpListMembership.gp_list_id == gp_list)
                               .order_by(GpListMembership.citizen_id)).all()
        able = []
        for citizen in members:
            if policy.decide(facts(session, Actor(citizen), now.date()), policy.Service.APPOINTMENTS, policy.Action.ACT).allowed:
                able.append(citizen)
            if len(able) == ATTEMPTS:
                break
        slot = appointments.free_slots(session, Actor(able[0]), now)[0]
    engine.dispose()
    return [able[i % len(able)] for i in range(ATTEMPTS)], slot.start, now


def _attempt(db: str, citizen: int, start: dt.datetime, now: dt.datetime, barrier) -> str:
    """One person's try, in a session and engine of its own: they look at the free slots, then all press
    "Bestill" at once when ``barrier`` releases them."""
    engine = engine_for(db)
    try:
        with Session(engine) as session:
            assert start in {slot.start for slot in appointments.free_slots(session, Actor(citizen), now)}
            barrier.wait(WAIT)
            try:
                appointments.book(session, Actor(citizen), start, now)
                return "booked"
            except SlotTaken as taken:
                return taken.message_nb
    finally:
        engine.dispose()


def _attempt_in_process(db, citizen, start, now, barrier, results) -> None:
    try:
        results.put(_attempt(db, citizen, start, now, barrier))
    except BaseException as error:  # reported in the parent, which then fails
        results.put(f"error: {error!r}")


def _count(db: str, start: dt.datetime) -> tuple[int, int]:
    """(every booking row, active bookings of the slot)."""
    engine = engine_for(db)
    with Session(engine) as session:
        rows = session.exec(select(func.count()).select_from(Booking)).one()
        active = session.exec(select(func.count()).select_from(Booking).where(Booking.start == start, Booking.status == BookingStatus.BOOKED)).one()
    engine.dispose()
    return rows, active


def _assert_exactly_one_got_it(outcomes: list[str], db: str, start: dt.datetime, rows_before: int) -> None:
    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("booked") == 1, outcomes
    refused = [o for o in outcomes if o != "booked"]
    assert len(refused) == ATTEMPTS - 1 and all(o.startswith("Timen er allerede tatt") for o in refused), set(refused)
    rows_after, active = _count(db, start)
    assert active == 1
    assert rows_after - rows_before == outcomes.count("booked")


def test_of_50_threads_booking_the_same_slot_exactly_one_gets_it(db):
    citizens, start, now = _contenders(db)
    rows_before, _ = _count(db, start)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []

    def run(citizen: int) -> None:
        try:
            outcomes.append(_attempt(db, citizen, start, now, barrier))
        except BaseException as error:
            outcomes.append(f"error: {error!r}")

    threads = [threading.Thread(target=run, args=(c,)) for c in citizens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    _assert_exactly_one_got_it(outcomes, db, start, rows_before)


def test_of_50_processes_booking_the_same_slot_exactly_one_gets_it(db):
    citizens, start, now = _contenders(db)
    rows_before, _ = _count(db, start)
    # Processes fork from a server that has imported helsekit once, so 50 of them start in seconds.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["helsekit.services.appointments", __name__])
    barrier, results = context.Barrier(ATTEMPTS), context.Queue()
    processes = [context.Process(target=_attempt_in_process, args=(db, c, start, now, barrier, results)) for c in citizens]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=WAIT) for _ in processes]
    for process in processes:
        process.join(WAIT)
    assert all(p.exitcode == 0 for p in processes)
    _assert_exactly_one_got_it(outcomes, db, start, rows_before)
