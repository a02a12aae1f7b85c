"""The portal domain: one module per noun, SQLModel tables with no I/O of their own.

Importing this package registers every table on ``SQLModel.metadata``.
"""

from helsekit.domain.bookings import Booking
from helsekit.domain.citizens import Citizen
from helsekit.domain.consents import ConsentLevel, HelsenorgeProfile
from helsekit.domain.message_reads import MessageRead
from helsekit.domain.kjernejournal import CriticalInformation, OwnRegistration
from helsekit.domain.geography import Fylke, Kommune
from helsekit.domain.gp_changes import GpChangeRequest
from helsekit.domain.gp_lists import GpList, GpListMembership
from helsekit.domain.health_station import HealthStationChange
from helsekit.domain.home_care import HomeCareMessage
from helsekit.domain.households import Household, ParentRelation
from helsekit.domain.inbox import PortalMessage, RenewalRequest
from helsekit.domain.organisations import Organisation, OrganisationKind
from helsekit.domain.practitioners import Practitioner
from helsekit.domain.proxies import Fullmakt, FullmaktScope
from helsekit.domain.record_reads import RecordRead
from helsekit.domain.site_changes import SiteChangeRequest
from helsekit.domain.travel_claims import TravelClaim

__all__ = [
    "Booking",
    "Citizen",
    "ConsentLevel",
    "CriticalInformation",
    "Fullmakt",
    "FullmaktScope",
    "HealthStationChange",
    "HelsenorgeProfile",
    "HomeCareMessage",
    "Fylke",
    "GpChangeRequest",
    "GpList",
    "GpListMembership",
    "Household",
    "Kommune",
    "Organisation",
    "MessageRead",
    "OrganisationKind",
    "OwnRegistration",
    "ParentRelation",
    "SiteChangeRequest",
    "PortalMessage",
    "Practitioner",
    "RecordRead",
    "RenewalRequest",
    "TravelClaim",
]
