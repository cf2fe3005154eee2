"""The case file as a Noark 5-shaped package (arkivpakke): a zip holding ``arkivstruktur.xml``
for the case — arkiv → arkivdel → saksmappe (the case number as mappeID, saksaar and
sakssekvensnummer) → a journalpost each for the decision complained of, the complaint, the
unit's reconsideration and the forwarding letter to Statsforvalteren with the documentation
and the history as its attachments — the PDF of every document it names (``dokumenter/``),
and the two schema files it conforms to. The XML is validated against the schema before the
package is made (:func:`api.noark5.arkivstruktur.validate`): an invalid one is never sent.

The identity number appears once, as ``partID`` of the person's ``part`` on the saksmappe:
the archive must identify the party the case is about. The documents themselves name the
person by name and birth date, as the letters do."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from api.casefile.contents import CaseFile
from api.casefile.documents import part_pdf
from api.noark5.arkivstruktur import (
    SCHEMA_DIR,
    Archive,
    Correspondent,
    Document,
    Folder,
    Party,
    Registration,
    Screening,
    arkivstruktur_xml,
    validate,
)
from api.pages import words as w
from domain.base import OSLO
from domain.case_number import CaseNumber
from domain.errors import InvalidValue

#: Health information under the duty of confidentiality: offentleglova § 13 with
#: forvaltningsloven § 13 and helse- og omsorgstjenesteloven § 12-1.
SCREENING = Screening(
    restriction="13", basis="Offl. § 13, jf. fvl. § 13 første ledd nr. 1 og hol. § 12-1",
    what=("tittel", "part", "korrespondansepart"), documents="Hele dokumentet")


def _moment(day: date) -> datetime:
    """A day as the schema's dateTime: its start in Norwegian time."""
    return datetime.combine(day, time(0), OSLO)


def _pdf(file: CaseFile, part: str, title: str, number: int, name: str, kind: str,
         main: bool, made: datetime, by: str) -> Document:
    content = part_pdf(file, part, title)
    version = content[5:8].decode("ascii", "replace")  # "%PDF-1.7"
    return Document(title=title, kind=kind, main=main,
                    path=f"dokumenter/{number:02d}-{name}.pdf", content=content,
                    created=made, created_by=by, file_format="PDF",
                    format_details=f"PDF {version}")


def registrations(file: CaseFile) -> list[Registration]:
    """The journalposter, in the order the documents came about."""
    person = file.case.person.name
    unit = file.profile.unit_name
    out = []
    letter = file.letter
    if letter is not None:
        out.append(Registration(
            title=f"{letter.title} – {person}", public_title=letter.title,
            kind="Utgående dokument", status="Ekspedert" if letter.sent_on else "Journalført",
            created=letter.made, created_by=letter.made_by, document_date=letter.dated,
            sent=_moment(letter.sent_on) if letter.sent_on else None,
            correspondents=(Correspondent("Mottaker", person),),
            documents=(_pdf(file, "letter", letter.title, 1, letter.file_stem, "Brev", True,
                            letter.made, letter.made_by),)))
    r, c, f = file.registered, file.reconsidered, file.forwarded
    out.append(Registration(
        title=f"Klage fra {file.complainant_name} på {file.subject_words}",
        public_title=f"Klage på {file.subject_words}", kind="Inngående dokument",
        status="Journalført", created=r.timestamp, created_by=r.registered_by,
        document_date=r.received_on, received=_moment(r.received_on),
        correspondents=(Correspondent("Avsender", file.complainant_name),),
        documents=(_pdf(file, "complaint", "Klagen", 2, "klage", "Brev", True, r.timestamp,
                        r.registered_by),)))
    out.append(Registration(
        title=f"Tildelingsenhetens nye vurdering av klagen – {person}",
        public_title="Tildelingsenhetens nye vurdering av klagen",
        kind="Organinternt dokument uten oppfølging", status="Journalført",
        created=c.timestamp, created_by=c.decided_by, document_date=c.decided_on,
        documents=(_pdf(file, "reconsideration", "Tildelingsenhetens nye vurdering", 3,
                        "ny-vurdering", "Notat", True, c.timestamp, c.decided_by),)))
    copies = [Correspondent("Kopimottaker", person)]
    if file.complainant_name != person:
        copies.append(Correspondent("Kopimottaker", file.complainant_name))
    out.append(Registration(
        title=f"Oversendelse av klage til {file.profile.state_administrator} – {person}",
        public_title=f"Oversendelse av klage til {file.profile.state_administrator}",
        kind="Utgående dokument", status="Ekspedert", created=f.timestamp,
        created_by=f.forwarded_by, document_date=f.forwarded_on, sent=_moment(f.forwarded_on),
        correspondents=(Correspondent("Mottaker", file.profile.state_administrator),
                        *copies),
        documents=(
            _pdf(file, "cover", "Oversendelsesbrev", 4, "oversendelse", "Brev", True,
                 f.timestamp, f.forwarded_by),
            _pdf(file, "documentation", "Dokumentasjonen i saken", 5, "dokumentasjon",
                 "Notat", False, f.timestamp, unit),
            _pdf(file, "history", "Sakens historikk", 6, "historikk", "Notat", False,
                 f.timestamp, unit))))
    return out


def archive(file: CaseFile) -> Archive:
    """The case file as Noark 5's structure."""
    case, profile = file.case, file.profile
    try:
        number = CaseNumber.parse(case.case_number or "")
        year, sequence = number.year, number.sequence
    except InvalidValue:  # a case from before case numbers, not yet given one
        year, sequence = case.received_on.year, 0
    parties = [Party(case.person.name, "Part", identity=case.person.identity_number)]
    if file.complainant_name != case.person.name:
        parties.append(Party(file.complainant_name, f"Klager ({file.complainant})"))
    folder = Folder(
        seed=file.complaint.id, case_id=file.case_number, year=year, sequence=sequence,
        title=f"Langtidsopphold – {case.person.name} – klage på {file.subject_words}",
        public_title=f"Langtidsopphold – klage på {file.subject_words}",
        description=(f"Klage på {file.subject_words}, sendt {profile.state_administrator} "
                     f"{w.dato(file.forwarded.forwarded_on)}. Saksdokumentene slik saken "
                     "stod da klagen ble sendt."),
        case_date=case.received_on, unit=profile.unit_name,
        responsible=file.forwarded.forwarded_by, status="Under behandling",
        created=file.opened, created_by=profile.unit_name, parties=tuple(parties),
        registrations=tuple(registrations(file)), screening=SCREENING)
    return Archive(
        title=f"{profile.name} – saksdokumenter til {profile.state_administrator}",
        series_title="Langtidsopphold i sykehjem eller tilsvarende bolig – klagesaker",
        creator_id=profile.number, creator_name=profile.name,
        extracted=file.forwarded.timestamp, extracted_by=profile.unit_name, folder=folder)


def package(file: CaseFile) -> bytes:
    """The zip: ``arkivstruktur.xml``, its schema files and ``dokumenter/*.pdf``."""
    structure = archive(file)
    xml = arkivstruktur_xml(structure)
    validate(xml)
    stamp = file.forwarded.timestamp.astimezone(OSLO).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        def put(name: str, data: bytes) -> None:
            z.writestr(zipfile.ZipInfo(name, date_time=stamp), data,
                       compress_type=zipfile.ZIP_DEFLATED)

        put("arkivstruktur.xml", xml)
        for schema in ("arkivstruktur.xsd", "metadatakatalog.xsd"):
            put(schema, (SCHEMA_DIR / schema).read_bytes())
        for registration in structure.folder.registrations:
            for doc in registration.documents:
                put(doc.path, doc.content)
    return out.getvalue()


__all__ = ["archive", "package", "registrations"]
