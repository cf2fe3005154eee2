"""R21, forvaltningsloven § 33 fourth paragraph, through HTTP: the case file for
Statsforvalteren as one PDF and as a Noark 5 package. The package's ``arkivstruktur.xml``
validates against Arkivverket's ``arkivstruktur.xsd`` (v5.0, with ``metadatakatalog.xsd``)
and names every document in the zip with its checksum; an invalid one fails the same
validation. The identity number is in the package once, as the person's ``partID``. Only
the complaint handler of the complaint's municipality gets it, and only once forwarded;
every download is in the case's access log."""

from __future__ import annotations

import hashlib
import io
import zipfile
from uuid import UUID
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from api.auth import Role
from api.noark5.arkivstruktur import InvalidArkivstruktur, schema_errors, validate
from application.service import AllocationService
from tests.api.conftest import Tokens
from tests.api.story import access_log, ok, waiting_case
from tests.builders import MUNICIPALITY, OTHER_MUNICIPALITY
from tests.pages.test_letters import pdf_text

N = "{http://www.arkivverket.no/standarder/noark5/arkivstruktur}"


def forwarded_complaint(c: TestClient, tokens: Tokens, *, municipality: str = "4601"
                        ) -> tuple[str, str]:
    """A case with a waiting-list decision and a complaint on it, not upheld and forwarded."""
    h = tokens(municipality=municipality)
    k = tokens(Role.COMPLAINT_HANDLER, municipality=municipality)
    case_id = waiting_case(c, h, name="Kari Klage")
    decision = ok(c.get(f"/cases/{case_id}", headers=h))["decisions"][0]["decision_id"]
    complaint = ok(c.post("/complaints", headers=k, json={
        "case_id": case_id, "against": "decision", "subject_id": decision,
        "received_on": "2026-03-02", "grounds": "Jeg trenger skjermet plass"}),
        201)["complaint_id"]
    ok(c.post(f"/complaints/{complaint}/reconsideration", headers=k,
              json={"upheld": False, "reasoning": "Ingen nye opplysninger"}))
    return case_id, complaint


def test_r21_no_case_file_before_forwarding_and_only_for_the_complaint_handler(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c, k = sqlite_client, tokens(Role.COMPLAINT_HANDLER)
    case_id, complaint = forwarded_complaint(c, tokens)
    for kind in ("pdf", "zip"):
        early = c.get(f"/complaints/{complaint}/case-file.{kind}", headers=k)
        assert early.status_code == 404, early.text
        assert early.json()["field"] == "complaint_id"
    ok(c.post(f"/complaints/{complaint}/forward", headers=k, json={}))
    for kind in ("pdf", "zip"):
        url = f"/complaints/{complaint}/case-file.{kind}"
        assert c.get(url, headers=tokens()).status_code == 403  # the allocation officer
        assert c.get(url, headers=tokens(Role.MANAGER)).status_code == 403
        assert c.get(url).status_code == 401
    pdf = c.get(f"/complaints/{complaint}/case-file.pdf", headers=k)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    actions = [e["action"] for e in access_log(c, k, case_id)["data"]]
    assert "read_case_file_pdf" in actions, actions


def test_r21_another_municipalitys_complaint_handler_gets_404(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c = sqlite_client
    case_id, complaint = forwarded_complaint(c, tokens, municipality=OTHER_MUNICIPALITY)
    theirs = tokens(Role.COMPLAINT_HANDLER, municipality=OTHER_MUNICIPALITY)
    ok(c.post(f"/complaints/{complaint}/forward", headers=theirs, json={}))
    assert c.get(f"/complaints/{complaint}/case-file.zip", headers=theirs).status_code == 200
    ours = tokens(Role.COMPLAINT_HANDLER)
    for kind in ("pdf", "zip"):
        answer = c.get(f"/complaints/{complaint}/case-file.{kind}", headers=ours)
        assert answer.status_code == 404
        assert "Kari Klage" not in answer.text
    log = access_log(c, theirs, case_id)["data"]
    files = [e for e in log if e["action"].startswith("read_case_file")]
    assert [e["action"] for e in files if e["allowed"]] == ["read_case_file_package"]
    # ours, refused, in the case's own log: the complaint names the case
    refused = [e for e in files if not e["allowed"]]
    assert len(refused) == 2
    assert all(str(e["detail"]).endswith(f"(from municipality {MUNICIPALITY})")
               for e in refused)


def test_r21_the_noark5_package_validates_against_arkivstruktur_xsd(
        sqlite_client: TestClient, sqlite_service: AllocationService, tokens: Tokens) -> None:
    c, k = sqlite_client, tokens(Role.COMPLAINT_HANDLER)
    case_id, complaint = forwarded_complaint(c, tokens)
    ok(c.post(f"/complaints/{complaint}/forward", headers=k, json={}))
    answer = c.get(f"/complaints/{complaint}/case-file.zip", headers=k)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["cache-control"] == "no-store"
    case = sqlite_service.get_case("4601", UUID(case_id))
    assert f"arkivpakke-{case.case_number.replace('/', '-')}.zip" in \
        answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as z:
        xml = z.read("arkivstruktur.xml")
        assert schema_errors(xml) == []
        validate(xml)
        root = ET.fromstring(xml)
        folder = root.find(f"{N}arkivdel/{N}mappe")
        assert folder is not None
        year, sequence = case.case_number.split("/")
        assert folder.findtext(f"{N}mappeID") == case.case_number
        assert folder.findtext(f"{N}saksaar") == year
        assert folder.findtext(f"{N}sakssekvensnummer") == str(int(sequence))
        assert "Kari Klage" in folder.findtext(f"{N}tittel", "")
        assert "Kari Klage" not in folder.findtext(f"{N}offentligTittel", "x")
        posts = folder.findall(f"{N}registrering")
        assert [p.findtext(f"{N}journalposttype") for p in posts] == [
            "Utgående dokument", "Inngående dokument",
            "Organinternt dokument uten oppfølging", "Utgående dokument"]
        titles = " | ".join(p.findtext(f"{N}tittel", "") for p in posts)
        assert "Vedtak om venteliste" in titles and "Klage fra Kari Klage" in titles
        assert "nye vurdering" in titles and "Statsforvalteren i Vestland" in titles
        objects = root.iter(f"{N}dokumentobjekt")
        files = 0
        for o in objects:
            data = z.read(o.findtext(f"{N}referanseDokumentfil", ""))
            assert data.startswith(b"%PDF")
            assert o.findtext(f"{N}sjekksum") == hashlib.sha256(data).hexdigest()
            assert o.findtext(f"{N}filstoerrelse") == str(len(data))
            files += 1
        assert files == 6
        # the identity number: once, as the person's partID; in no document
        number = case.person.identity_number
        assert xml.decode().count(number) == 1
        assert folder.findtext(f"{N}part/{N}partID") == number
        assert not any(number in pdf_text(z.read(n)) for n in z.namelist()
                       if n.endswith(".pdf"))
    actions = [e["action"] for e in access_log(c, k, case_id)["data"]]
    assert "read_case_file_package" in actions, actions


#: Ways to break a valid ``arkivstruktur.xml``, each of which the schema refuses.
BREAKAGES = (
    (lambda x: x.replace(b"<saksaar>", b"<saksAar>").replace(b"</saksaar>", b"</saksAar>"),
     "saksaar misnamed"),
    (lambda x: x.replace(b"<systemID>", b"<systemID>x", 1), "a systemID that is no UUID"),
    (lambda x: x.replace(b"<sakssekvensnummer>", b"<sakssekvensnummer>nr "),
     "a sequence that is no number"),
    (lambda x: x.replace(b'xsi:type="journalpost"', b'xsi:type="ukjent"', 1),
     "an unknown registration type"),
    (lambda x: x.replace(b"<tittel>", b"<title>", 1).replace(b"</tittel>", b"</title>", 1),
     "the archive without its tittel"),
    (lambda x: x[:200], "not well-formed"),
)


def test_r21_an_invalid_arkivstruktur_fails_validation(
        sqlite_client: TestClient, tokens: Tokens) -> None:
    c, k = sqlite_client, tokens(Role.COMPLAINT_HANDLER)
    _, complaint = forwarded_complaint(c, tokens)
    ok(c.post(f"/complaints/{complaint}/forward", headers=k, json={}))
    with zipfile.ZipFile(io.BytesIO(c.get(f"/complaints/{complaint}/case-file.zip",
                                          headers=k).content)) as z:
        xml = z.read("arkivstruktur.xml")
    assert schema_errors(xml) == []
    for change, what in BREAKAGES:
        broken = change(xml)
        assert broken != xml, what
        assert schema_errors(broken), what
        with pytest.raises(InvalidArkivstruktur):
            validate(broken)
