"""``helsekit export fhir``: NDJSON per resource type (bulk-data style), a transaction Bundle per citizen,
and a bulk-data manifest. The same database always gives the same bytes: ids are helsekit's, resources
come in id order, and the manifest's transactionTime is the database's reference date, not the clock.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from helsekit import SYNTHETIC_DATA_LABEL
from helsekit.fhir import (appointments, audit, consents, copayments, documents, flags, identifiers, immunizations, medications, messages,
                          observations, organisation, patient, practitioner, referrals, related_persons)
from helsekit.fhir.render import Rendered
from helsekit.fhir.source import Source
from helsekit.storage.database import read_meta

#: Resource types in the order they are written, referenced before referring.
ORDER = ("Patient", "RelatedPerson", "Organization", "Location", "HealthcareService", "Practitioner", "PractitionerRole", "Flag", "Consent",
         "ServiceRequest", "Task", "Appointment", "DocumentReference", "MedicationRequest", "MedicationDispense", "Immunization", "Observation",
         "ChargeItem", "Communication", "AuditEvent")
BUNDLES = "bundles"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: resources per type, bundles and seconds taken."""

    out: Path
    counts: dict[str, int]
    bundles: int
    seconds: float


#: Modules of resources about one citizen each, and of resources every citizen shares (written once).
CITIZEN_MODULES = (patient, related_persons, flags, consents, referrals, appointments, documents, medications, immunizations, observations, copayments,
                   messages, audit)
SHARED_MODULES = (organisation, practitioner)


def render_all(source: Source, modules=CITIZEN_MODULES + SHARED_MODULES) -> dict[str, list[Rendered]]:
    """Every resource of ``modules`` for the source's citizens, by type in ORDER."""
    found: dict[str, list[Rendered]] = {t: [] for t in ORDER}
    for module in modules:
        parts = module.export(source)
        for part in parts if isinstance(parts, list) else [parts]:
            found[part.resource_type].append(part)
    return found


def _offsets(array: pa.Array) -> np.ndarray:
    """The start of each string and the end of the last, in ``array``'s value buffer."""
    return np.frombuffer(array.buffers()[1], np.int32)[array.offset:array.offset + len(array) + 1]


def _payload(array: pa.Array) -> memoryview:
    """The text of every string of ``array`` back to back, without copying (Arrow keeps them so)."""
    offsets = _offsets(array)
    return memoryview(array.buffers()[2])[offsets[0]:offsets[-1]]


class _Lines:
    """An NDJSON file being written, and how many lines it has."""

    def __init__(self, path: Path) -> None:
        self.file, self.count = open(path, "wb"), 0

    def write(self, texts: list[pa.ChunkedArray]) -> None:
        """Write each text as a line."""
        for text in texts:
            for chunk in text.chunks:
                if len(chunk):
                    self.file.write(_payload(pc.binary_join_element_wise(chunk, "\n", "")))
                    self.count += len(chunk)

    def close(self) -> None:
        """Close the file."""
        self.file.close()


def _write_block(files: dict[str, _Lines], folder: Path, found: dict[str, list[Rendered]]) -> None:
    """One block of citizens: its lines of each NDJSON file and its bundles."""
    for t, parts in found.items():
        files[t].write([p.text for p in parts])
    _write_bundles(folder, [p for t in ORDER for p in found[t]])


def _by_citizen(part: Rendered) -> Rendered:
    """``part`` in citizen order (its own order within a citizen); ids that begin with the citizen's are already."""
    citizens = part.citizens.to_numpy()
    if citizens.size < 2 or (np.diff(citizens) >= 0).all():
        return part
    order = pa.array(np.argsort(citizens, kind="stable"))
    return Rendered(part.resource_type, part.ids.take(order), part.citizens.take(order),
                    pc.take(part.text.cast(pa.large_string()), order).cast(pa.string()))


def _write_bundles(folder: Path, parts: list[Rendered], citizens_per_block: int = 2_000) -> int:
    """One transaction Bundle per citizen (PUT with helsekit's ids), the Patient first, then the types in ORDER."""
    parts = [_by_citizen(p) for p in parts]
    keys = [p.citizens.to_numpy() for p in parts]
    everyone = np.unique(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
    for block in range(0, everyone.size, citizens_per_block):
        members = everyone[block:block + citizens_per_block]
        pieces = []  # per part: its entries' text back to back, where each entry starts, and each member's first and last entry
        for part, key in zip(parts, keys):
            start, stop = np.searchsorted(key, members[0]), np.searchsorted(key, members[-1], "right")
            url = pc.binary_join_element_wise(f"{part.resource_type}/", part.ids.slice(start, stop - start), "")
            entries = pc.binary_join_element_wise(f',{{"fullUrl":"{identifiers.BASE_URL}', url, '","resource":',
                                                  part.text.slice(start, stop - start).combine_chunks(),
                                                  ',"request":{"method":"PUT","url":"', url, '"}}', "")
            own = key[start:stop]
            pieces.append((_payload(entries), _offsets(entries) - _offsets(entries)[0],
                           np.searchsorted(own, members, "left"), np.searchsorted(own, members, "right")))
        for i, number in enumerate(members.tolist()):
            with open(folder / f"Patient-{number}.json", "wb") as out:
                out.write(f'{{"resourceType":"Bundle","id":"citizen-{number}","type":"transaction","entry":['.encode())
                skip = 1  # the comma before the first entry
                for data, offsets, firsts, lasts in pieces:
                    if lasts[i] > firsts[i]:
                        out.write(data[offsets[firsts[i]] + skip:offsets[lasts[i]]])
                        skip = 0
                out.write(b"]}\n")
    return int(everyone.size)


def export_fhir(db: str, out: str | Path, citizens: list[int] | None = None, citizens_per_block: int = 10_000) -> ExportResult:
    """Write the database's resources to ``out`` (see the module docstring); ``citizens`` limits it to those ids.

    Citizens are rendered ``citizens_per_block`` at a time (the JSON of ``default`` whole is some 20 GB),
    so within a type the resources come block by block, in id order within each.
    """
    started = time.perf_counter()
    out = Path(out)
    (out / BUNDLES).mkdir(parents=True, exist_ok=True)
    for old in (out / BUNDLES).glob("*.json"):
        old.unlink()
    source = Source(db, citizens)
    files = {t: _Lines(out / f"{t}.ndjson") for t in ORDER}
    try:
        for t, parts in render_all(source, SHARED_MODULES).items():
            files[t].write([p.text for p in parts])
        everyone = source.sql("citizen")["id"].to_numpy()
        # One thread writes a block while this one renders the next (Arrow's kernels and file writes release the GIL).
        with ThreadPoolExecutor(max_workers=1) as writer:
            writing = None
            for block in range(0, everyone.size, citizens_per_block):
                found = render_all(source.only(everyone[block:block + citizens_per_block]), CITIZEN_MODULES)
                if writing is not None:
                    writing.result()  # blocks are written in order, one at a time
                writing = writer.submit(_write_block, files, out / BUNDLES, found)
            if writing is not None:
                writing.result()
        counts = {t: files[t].count for t in ORDER}
    finally:
        for file in files.values():
            file.close()
    meta = read_meta(db)
    manifest = {
        "transactionTime": f"{meta['reference_date']}T00:00:00Z" if "reference_date" in meta else None, "request": "helsekit export fhir",
        "requiresAccessToken": False, "output": [{"type": t, "url": f"{t}.ndjson", "count": counts[t]} for t in ORDER], "error": [],
        "extension": {"helsekit": {"label": SYNTHETIC_DATA_LABEL, "fhirVersion": "4.0.1", "citizens": "all" if citizens is None else sorted(set(citizens))}},
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return ExportResult(out, counts, int(everyone.size), time.perf_counter() - started)
