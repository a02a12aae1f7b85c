"""helsekit: a workbench for prototyping helsenorge.no citizen services on synthetic citizens.

Every person, organisation and practitioner in a helsekit database is synthetic; see
``helsekit.domain.person_numbers`` for why no real person's number can enter one.

Start here::

    import helsekit
    data = helsekit.open()          # the embedded SQLite file made by `make demo`
    data.citizens.head()
"""

__version__ = "0.1.0"

SYNTHETIC_DATA_LABEL = "Syntetiske data"


def open(db: str | None = None):  # noqa: A001 (the public name the analysts use)
    """Open a helsekit database for analysis: an object whose attributes are pandas DataFrames.

    ``db`` is a SQLite file path or any SQLAlchemy URL; by default the embedded file
    ``synthetic_data/helsekit.db`` (or ``$HELSEKIT_DB``). See :class:`helsekit.analytics.HelseData`.
    """
    from helsekit.analytics import HelseData

    return HelseData(db)
