"""Domain errors: each names the field or rule it is about, in English (API, CLI) and bokmål (UI).

Every error helsekit raises on bad input is a :class:`HelsekitError`. The CLI prints
``error: <english message>`` on one line and exits with code 2; widgets show ``message_nb``.
"""

from __future__ import annotations


class HelsekitError(Exception):
    """Base of all helsekit errors.

    ``field`` names the input or rule at fault (e.g. ``"seed"``, ``"person_number"``, ``"§1.8"``).
    """

    def __init__(self, message_en: str, message_nb: str, field: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_nb = message_nb
        self.field = field


class InvalidInput(HelsekitError):
    """A value given by a user or a caller breaks a documented rule."""


class InvalidPersonNumber(InvalidInput):
    """A person number is malformed or fails the check-digit or date rules (§1.1–§1.3)."""

    def __init__(self, number: object, reason_en: str, reason_nb: str, rule: str) -> None:
        super().__init__(
            f"person_number {number!r} is invalid: {reason_en} ({rule})",
            f"Fødsels- eller D-nummeret {number!r} er ugyldig: {reason_nb} ({rule}).",
            "person_number",
        )
        self.rule = rule


class NotSyntheticPersonNumber(InvalidInput):
    """A person number is not a synthetic (Tenor +80 month, §1.8) number: it could be a real person's."""

    def __init__(self, number: object) -> None:
        super().__init__(
            f"person_number {number!r} is not synthetic: helsekit stores only Tenor test numbers "
            "(month + 80, domain-facts §1.8), so that no real person's number can enter it",
            f"Fødsels- eller D-nummeret {number!r} er ikke syntetisk: helsekit tar bare imot testnumre "
            "(måned + 80, §1.8), slik at ingen virkelig persons nummer kan lagres.",
            "person_number",
        )
        self.rule = "§1.8"


class InvalidIdentifier(InvalidInput):
    """An organisation, HPR, HER or RESH identifier is malformed or not in helsekit's synthetic range."""


class InvalidOption(InvalidInput):
    """A generator or CLI option has a value outside what it accepts."""


class DatabaseError(HelsekitError):
    """The database cannot be opened, written or read as asked."""


class RuleBroken(HelsekitError):
    """A request to a service breaks a rule of the portal (a taken slot, a passed deadline, …).

    Raised before anything is written, or after the unit of work is rolled back: nothing is half-written.
    ``field`` names the input or the rule (``"start"``, ``"§10.6"``, …).
    """


class NotFound(RuleBroken):
    """The thing asked for does not exist, or does not belong to the person acted for."""


class SlotTaken(RuleBroken):
    """The appointment slot was booked by someone else first."""


class DeadlinePassed(RuleBroken):
    """The deadline for this action has passed (cancellation deadline, claim deadline, …)."""


class NotOffered(RuleBroken):
    """The site or service does not offer this (e.g. prescription renewal at this GP office, §10.6)."""


class LimitReached(RuleBroken):
    """A limit in the rules is reached (e.g. GP changes per year, §9)."""
