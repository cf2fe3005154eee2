"""The case file for Statsforvalteren on the complaint handler's pages (R21, forvaltningsloven
§ 33 fourth paragraph): once a complaint is forwarded, its page offers the file as one PDF and
as a Noark 5 package (:mod:`api.casefile`). Each download is a read of the person's data, in
the access log; neither is kept by the browser (``Cache-Control: no-store``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import Role
from api.casefile import contents, documents
from api.casefile.package import package
from api.pages.web import Page, PageRoute, not_found, page_for, parse_id
from domain.errors import NotFound

router = APIRouter(route_class=PageRoute)
HandlerPage = Annotated[Page, Depends(page_for(Role.COMPLAINT_HANDLER))]


def _file(page: Page, complaint_id: str, action: str) -> contents.CaseFile:
    kid = parse_id(complaint_id)
    try:
        case_id = page.service.get_complaint(page.municipality, kid).case_id
    except NotFound:
        raise not_found() from None
    page.load_case(case_id, action)
    names = {f.facility_id: f.facility_name for f in page.read.facilities(page.municipality)}
    try:
        file = contents.gather(page.service, page.municipality, kid, names)
    except NotFound:
        raise not_found() from None
    page.audit(action, [case_id])
    return file


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@router.get("/klage/klager/{complaint_id}/saksdokumenter.pdf", name="page_case_file_pdf")
def case_file_pdf(complaint_id: str, page: HandlerPage) -> Response:
    file = _file(page, complaint_id, "read_case_file_pdf")
    return _download(documents.whole_pdf(file), "application/pdf",
                     documents.file_name(file, "saksdokumenter", "pdf"))


@router.get("/klage/klager/{complaint_id}/arkivpakke.zip", name="page_case_file_package")
def case_file_package(complaint_id: str, page: HandlerPage) -> Response:
    file = _file(page, complaint_id, "read_case_file_package")
    return _download(package(file), "application/zip",
                     documents.file_name(file, "arkivpakke", "zip"))
