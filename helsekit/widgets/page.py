"""What every pilot page does first: read ``site`` and ``citizen`` from the query string, check that the
pilot is enabled at that site, and lay out the chrome and the log-in above the pilot's own components.

Voilà passes the page's query string to the kernel as ``QUERY_STRING``; a visitor can send anything
there, so both values must be whole numbers, and anything else is named on the page (escaped), never
raised. A page opened for a site without the pilot says so and shows nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from urllib.parse import parse_qs

from pathlib import Path

import ipywidgets as w

from helsekit import pilots
from helsekit.errors import HelsekitError
from helsekit.services import roster
from helsekit.services.actors import Actor
from helsekit.storage.database import is_url
from helsekit.widgets.chrome import Chrome
from helsekit.widgets.common import SessionFactory, html, note, now_of, session_factory
from helsekit.widgets.login import Login

MAX_ID_DIGITS = 12


def _whole_number(name: str, value: object, problems: list[str]) -> int | None:
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    problems.append(f"«{name}» må være et helt tall, ikke «{text[:40]}».")
    return None


#: Seconds a preheated kernel tries to reach its Voilà server's request channel before giving up.
REQUEST_CHANNEL_TIMEOUT_S = 10


def request_query_string() -> str | None:
    """The query string of the visitor's request (``QUERY_STRING``), waiting for that request first when
    the kernel was preheated.

    Voilà's preheated kernels (``--preheat_kernel=True``, see :data:`helsekit.serve.POOL_SIZE`) run the
    notebook before anyone asks for the page, with ``VOILA_PREHEAT=True`` in their environment; the
    request's variables arrive later over a websocket. Call this after the notebook's heavy imports, so
    that they are done while the kernel waits. Elsewhere (a kernel started per request, papermill, a
    plain interpreter) it returns ``QUERY_STRING`` as it is, or None.
    """
    if os.environ.get("VOILA_PREHEAT") == "True":
        _wait_for_request()
    return os.environ.get("QUERY_STRING")


def _wait_for_request() -> None:
    """What ``voila.utils.wait_for_request()`` does (voila 0.5), without importing ``voila.utils``: that
    import pulls in jupyter_server and costs 1-4.5 s of CPU in every pooled kernel, on a 2-core machine
    where the pool is refilled while the visitor's page draws. Connect to
    ``ws://<VOILA_APP_IP>:<VOILA_APP_PORT><base url>voila/query/<VOILA_KERNEL_ID>``, take the one JSON
    message Voilà sends when a request takes this kernel, and put its variables (``QUERY_STRING`` among
    them) into the environment. Without the synchronous websockets client, Voilà's own helper is used."""
    try:
        from websockets.sync.client import connect
    except ImportError:  # websockets < 11
        from voila.utils import wait_for_request

        wait_for_request()
        return
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = f"{protocol}://{host}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID', '')}"
    try:
        with connect(url, open_timeout=REQUEST_CHANNEL_TIMEOUT_S, max_size=2**20) as channel:
            message = channel.recv()
    except Exception as error:  # noqa: BLE001 - as Voilà: without the request, the page is drawn without its query
        print(f"helsekit: no request info from {url}: {error!r}", file=sys.stderr)
        return
    for name, value in json.loads(message).items():
        os.environ[str(name)] = str(value)


def query_parameters(query_string: str | None, site: object = None, citizen: object = None) -> tuple[int | None, int | None, list[str]]:
    """``site`` and ``citizen`` from the query string (which wins over the notebook's parameters), as
    whole numbers or None, with a bokmål line for each value that was not one."""
    given = parse_qs(query_string or "", keep_blank_values=True)
    problems: list[str] = []
    site = _whole_number("site", given["site"][0] if "site" in given else site, problems)
    citizen = _whole_number("citizen", given["citizen"][0] if "citizen" in given else citizen, problems)
    return site, citizen, problems


class PilotPage(w.VBox):
    """The page of pilot ``pilot_id`` at ``site`` (default: the first site where it is enabled).

    ``ready`` is True when the pilot is running at the site; then :meth:`show` adds the pilot's
    components, each told about the actor when someone logs in (their ``show(actor)``).
    """

    def __init__(self, pilot_id: str, db: SessionFactory | str, site: int | None = None, citizen: int | None = None,
                 problems: list[str] | None = None, now: dt.datetime | None = None) -> None:
        super().__init__()
        self.add_class("hk-page")
        self.citizen = citizen
        self.ready = False
        self.login: Login | None = None
        self.components: list[w.Widget] = []
        self.status = html("hk-page-status", "".join(note(p, "error") for p in problems or []))
        found = {p.id: p for p in pilots.discover()[0]}
        self.pilot = found.get(pilot_id)
        self.chrome = Chrome(self.pilot.title if self.pilot else pilot_id)
        self.children = [self.chrome, self.status]
        if isinstance(db, str) and not is_url(db) and not Path(db).is_file():
            self.status.value += note("Fant ingen database for demoen; lag en med «make demo».", "error")
            return
        self.sessions = session_factory(db)
        self.now = now_of(self.sessions, now)
        if self.pilot is None or self.pilot.status != "pilot":
            self.status.value += note("Denne tjenesten er ikke i drift.", "error")
            return
        try:
            with self.sessions() as session:
                sites = {o.id: o for o in roster.pilot_sites(session, self.pilot)}
                place = roster.site(session, site) if site is not None else None
        except HelsekitError as error:
            self.status.value += note(error.message_nb, "error")
            return
        if place is None:
            if not sites:
                self.status.value += note("Tjenesten er ikke tatt i bruk ved noe behandlingssted i denne databasen.", "info")
                return
            place = next(iter(sites.values()))
        self.site = place
        self.chrome.header.site_name = place.name
        self.chrome.header.show_actor(None)
        if place.id not in sites:
            self.status.value += note(f"{self.pilot.title} er dessverre ikke tilgjengelig ved {place.name} ennå.", "info")
            return
        self.ready = True
        self.login = Login(self.sessions, place.id, self.now)
        self.login.on_login(self._logged_in)
        self.children = [self.chrome, self.status, self.login]

    def _logged_in(self, actor: Actor) -> None:
        names = self.login.names
        self.chrome.header.show_actor(names.get(actor.person_id), names.get(actor.subject))
        for component in self.components:
            component.show(actor)

    def show(self, *components: w.Widget) -> None:
        """Add the pilot's components below the log-in, and log in the query's citizen, if any."""
        if not self.ready:
            return
        self.components.extend(components)
        self.children = [*self.children, *components]
        if self.citizen is not None:
            if self.citizen in self.login.names:
                self.login.citizen.value = self.citizen
                self.login.log_in(self.citizen)
            else:
                self.status.value += note(f"Innbygger {self.citizen} står ikke på listen ved dette behandlingsstedet.", "error")
