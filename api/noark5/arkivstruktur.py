"""One case as Noark 5's ``arkivstruktur.xml`` (v5.0): arkiv → arkivdel → saksmappe → its
journalposter, each with its dokumentbeskrivelse and dokumentobjekt pointing at a file in the
same package, and the check of any such document against the published schema
(``schemas/arkivstruktur.xsd``, read with ``xmlschema``).

The structure is plain data (:class:`Archive` and its parts): what goes in is decided by the
caller (:mod:`api.casefile.package`); this module only writes it in the schema's order and
names. Every ``systemID`` is a UUID (the schema demands one) derived from the folder's own
``seed`` and the element's place, so the same case file gives the same ids every time.

Where the schema demands an element the case does not have, the values chosen are these:
``avsluttetDato`` on arkiv, arkivdel and saksmappe (an extract is of closed material) is the
moment the extract was made (its ``saksstatus`` still says the case is under treatment), and
``arkivertDato`` of a registration is that moment too.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5
from xml.etree import ElementTree as ET

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA = SCHEMA_DIR / "arkivstruktur.xsd"



@dataclass(frozen=True)
class Document:
    """One file of a registration (dokumentbeskrivelse with one dokumentobjekt)."""

    title: str
    kind: str  # dokumenttype: "Brev", "Notat"
    main: bool  # tilknyttetRegistreringSom: Hoveddokument, else Vedlegg
    path: str  # referanseDokumentfil: the file's path in the package
    content: bytes
    created: datetime
    created_by: str
    file_format: str = "PDF"
    format_details: str | None = None


@dataclass(frozen=True)
class Correspondent:
    """A sender or recipient of a registration (korrespondansepart)."""

    kind: str  # korrespondanseparttype: "Avsender", "Mottaker", "Kopimottaker"
    name: str
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Party:
    """A party to the case (part); ``identity`` is the person's identity number where the
    archive must identify them, else None."""

    name: str
    role: str  # partRolle
    identity: str | None = None


@dataclass(frozen=True)
class Registration:
    """A journalpost: a document received, sent or kept internally."""

    title: str
    public_title: str
    kind: str  # journalposttype: "Inngående dokument", "Utgående dokument", ...
    status: str  # journalstatus: "Journalført", "Ekspedert"
    created: datetime
    created_by: str
    document_date: date
    documents: tuple[Document, ...]
    correspondents: tuple[Correspondent, ...] = ()
    received: datetime | None = None
    sent: datetime | None = None
    description: str | None = None


@dataclass(frozen=True)
class Screening:
    """Skjerming: who may see what, and on which legal basis."""

    restriction: str  # tilgangsrestriksjon, e.g. "13" (taushetsplikt)
    basis: str  # skjermingshjemmel
    what: tuple[str, ...]  # skjermingMetadata
    documents: str  # skjermingDokument


@dataclass(frozen=True)
class Folder:
    """The case (saksmappe)."""

    seed: UUID  # the systemIDs are derived from it
    case_id: str  # mappeID, the case number "2026/0042"
    year: int  # saksaar
    sequence: int  # sakssekvensnummer
    title: str
    public_title: str
    description: str
    case_date: date  # saksdato
    unit: str  # administrativEnhet
    responsible: str  # saksansvarlig
    status: str  # saksstatus
    created: datetime
    created_by: str
    parties: tuple[Party, ...]
    registrations: tuple[Registration, ...]
    screening: Screening | None = None
    remarks: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Archive:
    """The whole extract: one archive, one series (arkivdel), one case."""

    title: str
    series_title: str
    creator_id: str  # arkivskaperID
    creator_name: str  # arkivskaperNavn
    extracted: datetime
    extracted_by: str
    folder: Folder


class _Writer:
    def __init__(self, seed: UUID) -> None:
        self.seed = seed

    def system_id(self, parent: ET.Element, name: str) -> None:
        self.add(parent, "systemID", str(uuid5(self.seed, name)))

    @staticmethod
    def add(parent: ET.Element, tag: str, value: Any) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NS}}}{tag}")
        element.text = _text(value)
        return element

    @staticmethod
    def group(parent: ET.Element, tag: str, xsi_type: str | None = None) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NS}}}{tag}")
        if xsi_type:
            element.set(f"{{{XSI}}}type", xsi_type)
        return element


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def arkivstruktur_xml(archive: Archive) -> bytes:
    """The archive as ``arkivstruktur.xml`` (UTF-8, with its XML declaration)."""
    folder = archive.folder
    w = _Writer(folder.seed)
    root = ET.Element(f"{{{NS}}}arkiv")
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} arkivstruktur.xsd")
    w.system_id(root, "arkiv")
    w.add(root, "tittel", archive.title)
    w.add(root, "arkivstatus", "Avsluttet")
    w.add(root, "opprettetDato", archive.extracted)
    w.add(root, "opprettetAv", archive.extracted_by)
    w.add(root, "avsluttetDato", archive.extracted)
    w.add(root, "avsluttetAv", archive.extracted_by)
    creator = w.group(root, "arkivskaper")
    w.add(creator, "arkivskaperID", archive.creator_id)
    w.add(creator, "arkivskaperNavn", archive.creator_name)
    series = w.group(root, "arkivdel")
    w.system_id(series, "arkivdel")
    w.add(series, "tittel", archive.series_title)
    w.add(series, "arkivdelstatus", "Avsluttet periode")
    w.add(series, "opprettetDato", archive.extracted)
    w.add(series, "opprettetAv", archive.extracted_by)
    w.add(series, "avsluttetDato", archive.extracted)
    w.add(series, "avsluttetAv", archive.extracted_by)
    _folder(w, series, archive)
    document = ET.ElementTree(root)
    ET.indent(document)
    # the default namespace given here, not registered globally: another library (an SVG
    # renderer) may register its own as the default, and ``xsi:type="saksmappe"`` needs ours
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True,
                             default_namespace=NS)) + b"\n"


def _folder(w: _Writer, series: ET.Element, archive: Archive) -> None:
    f = archive.folder
    m = w.group(series, "mappe", "saksmappe")
    w.system_id(m, "saksmappe")
    w.add(m, "mappeID", f.case_id)
    w.add(m, "tittel", f.title)
    w.add(m, "offentligTittel", f.public_title)
    w.add(m, "beskrivelse", f.description)
    w.add(m, "opprettetDato", f.created)
    w.add(m, "opprettetAv", f.created_by)
    w.add(m, "avsluttetDato", archive.extracted)
    w.add(m, "avsluttetAv", archive.extracted_by)
    for party in f.parties:
        p = w.group(m, "part")
        if party.identity:
            w.add(p, "partID", party.identity)
        w.add(p, "partNavn", party.name)
        w.add(p, "partRolle", party.role)
    for text in f.remarks:
        remark = w.group(m, "merknad")
        w.add(remark, "merknadstekst", text)
        w.add(remark, "merknadsdato", archive.extracted)
        w.add(remark, "merknadRegistrertAv", archive.extracted_by)
    if f.screening is not None:
        _screening(w, m, f.screening)
    for n, registration in enumerate(f.registrations, start=1):
        _registration(w, m, archive, n, registration)
    w.add(m, "saksaar", f.year)
    w.add(m, "sakssekvensnummer", f.sequence)
    w.add(m, "saksdato", f.case_date)
    w.add(m, "administrativEnhet", f.unit)
    w.add(m, "saksansvarlig", f.responsible)
    w.add(m, "saksstatus", f.status)


def _screening(w: _Writer, parent: ET.Element, s: Screening) -> None:
    element = w.group(parent, "skjerming")
    w.add(element, "tilgangsrestriksjon", s.restriction)
    w.add(element, "skjermingshjemmel", s.basis)
    for what in s.what:
        w.add(element, "skjermingMetadata", what)
    w.add(element, "skjermingDokument", s.documents)


def _registration(w: _Writer, folder: ET.Element, archive: Archive, n: int,
                  r: Registration) -> None:
    f = archive.folder
    j = w.group(folder, "registrering", "journalpost")
    w.system_id(j, f"journalpost/{n}")
    w.add(j, "opprettetDato", r.created)
    w.add(j, "opprettetAv", r.created_by)
    w.add(j, "arkivertDato", archive.extracted)
    w.add(j, "arkivertAv", archive.extracted_by)
    if f.screening is not None:
        _screening(w, j, f.screening)
    for d, doc in enumerate(r.documents, start=1):
        _document(w, j, n, d, doc)
    w.add(j, "registreringsID", f"{f.case_id}-{n}")
    w.add(j, "tittel", r.title)
    w.add(j, "offentligTittel", r.public_title)
    if r.description:
        w.add(j, "beskrivelse", r.description)
    for c in r.correspondents:
        part = w.group(j, "korrespondansepart")
        w.add(part, "korrespondanseparttype", c.kind)
        w.add(part, "korrespondansepartNavn", c.name)
        for line in c.address:
            w.add(part, "postadresse", line)
    journal_date = r.created.date()
    w.add(j, "journalaar", journal_date.year)
    w.add(j, "journalsekvensnummer", n)
    w.add(j, "journalpostnummer", n)
    w.add(j, "journalposttype", r.kind)
    w.add(j, "journalstatus", r.status)
    w.add(j, "journaldato", journal_date)
    w.add(j, "dokumentetsDato", r.document_date)
    if r.received is not None:
        w.add(j, "mottattDato", r.received)
    if r.sent is not None:
        w.add(j, "sendtDato", r.sent)
    w.add(j, "antallVedlegg", sum(1 for doc in r.documents if not doc.main))


def _document(w: _Writer, registration: ET.Element, n: int, d: int, doc: Document) -> None:
    b = w.group(registration, "dokumentbeskrivelse")
    w.system_id(b, f"journalpost/{n}/dokument/{d}")
    w.add(b, "dokumenttype", doc.kind)
    w.add(b, "dokumentstatus", "Dokumentet er ferdigstilt")
    w.add(b, "tittel", doc.title)
    w.add(b, "opprettetDato", doc.created)
    w.add(b, "opprettetAv", doc.created_by)
    w.add(b, "tilknyttetRegistreringSom", "Hoveddokument" if doc.main else "Vedlegg")
    w.add(b, "dokumentnummer", d)
    w.add(b, "tilknyttetDato", doc.created)
    w.add(b, "tilknyttetAv", doc.created_by)
    o = w.group(b, "dokumentobjekt")
    w.system_id(o, f"journalpost/{n}/dokument/{d}/objekt")
    w.add(o, "versjonsnummer", 1)
    w.add(o, "variantformat", "Produksjonsformat")
    w.add(o, "format", doc.file_format)
    if doc.format_details:
        w.add(o, "formatDetaljer", doc.format_details)
    w.add(o, "opprettetDato", doc.created)
    w.add(o, "opprettetAv", doc.created_by)
    w.add(o, "referanseDokumentfil", doc.path)
    w.add(o, "sjekksum", hashlib.sha256(doc.content).hexdigest())
    w.add(o, "sjekksumAlgoritme", "SHA256")
    w.add(o, "filstoerrelse", len(doc.content))


# --- the schema ---------------------------------------------------------------------------


class InvalidArkivstruktur(ValueError):
    """The document does not conform to Noark 5's ``arkivstruktur.xsd``."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons[:3]))
        self.reasons = reasons


@cache
def schema() -> Any:
    """Noark 5 v5.0's ``arkivstruktur.xsd`` (with the ``metadatakatalog.xsd`` it imports),
    loaded once."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


def schema_errors(xml: bytes) -> list[str]:
    """Why ``xml`` is not a valid ``arkivstruktur.xml``; empty when it is."""
    import xmlschema

    try:  # read from memory (never taken for a file name), fetching nothing it names
        resource = xmlschema.XMLResource(io.BytesIO(xml), allow="none", defuse="always")
    except (xmlschema.XMLSchemaException, ET.ParseError) as exc:
        return [f"not well-formed XML: {str(exc).splitlines()[0]}"]
    try:
        return [f"{e.path}: {e.reason}" for e in schema().iter_errors(resource)]
    except xmlschema.XMLSchemaException as exc:  # e.g. an xsi:type the schema does not know
        return [str(exc).splitlines()[0]]


def validate(xml: bytes) -> None:
    """Raise :class:`InvalidArkivstruktur` unless ``xml`` conforms to the schema."""
    errors = schema_errors(xml)
    if errors:
        raise InvalidArkivstruktur(errors)


__all__ = ["Archive", "Correspondent", "Document", "Folder", "InvalidArkivstruktur", "Party",
           "Registration", "Screening", "arkivstruktur_xml", "schema_errors", "validate"]
