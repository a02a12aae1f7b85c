"""Working days: weekends and Norway's public holidays."""

from __future__ import annotations

import datetime as dt

import numpy as np

from helsekit.domain.calendar import add_working_days, easter_sunday, public_holidays, working_days


def test_easter_sunday_matches_known_dates():
    assert [easter_sunday(y) for y in (2019, 2024, 2025)] == [dt.date(2019, 4, 21), dt.date(2024, 3, 31), dt.date(2025, 4, 20)]


def test_constitution_day_christmas_and_the_easter_days_are_holidays():
    holidays = public_holidays(2024)
    assert {dt.date(2024, 5, 17), dt.date(2024, 12, 25), dt.date(2024, 3, 28), dt.date(2024, 3, 29), dt.date(2024, 4, 1)} <= set(holidays)
    assert len(holidays) == 12


def test_ten_working_days_skip_weekends_and_easter():
    calendar = working_days(2024, 2024)
    # Friday 22 March 2024 + 10 working days skips two weekends and Maundy Thursday to Easter Monday.
    assert str(add_working_days(np.datetime64("2024-03-22"), 10, calendar)) == "2024-04-10"
