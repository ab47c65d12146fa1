"""Documents, versions and attachments: download and API (the pages are in
:mod:`.pages_records`)."""

from fastapi import APIRouter, Request, Response

from trilink.secretariat.web.deps import API, API_ERRORS, ApiWrite, Svc
from trilink.secretariat.web.schemas.documents import (
    CreatedVersion,
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    StoredAttachment,
    VersionIn,
)

__all__ = ["router"]

router = APIRouter(tags=["documents"], responses=API_ERRORS)


@router.get("/attachments/{a_id}", include_in_schema=False)
def attachment(svc: Svc, a_id: int) -> Response:
    a = svc.attachment(a_id)
    # A neutral name and type: the stored file name and content type are user input.
    return Response(
        a.data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{a.sha256[:16]}.bin"'},
    )


@router.get(f"{API}/documents")
def api_documents(svc: Svc, lang: str = "en") -> list[DocumentOut]:
    return [DocumentOut.of(d, lang) for d in svc.list_documents()]


@router.post(f"{API}/documents", status_code=201, dependencies=[ApiWrite])
def api_document_create(body: DocumentIn, svc: Svc) -> DocumentOut:
    return DocumentOut.of(svc.create_document(**body.model_dump()), "en")


@router.patch(f"{API}/documents/{{d_id}}", dependencies=[ApiWrite])
def api_document_update(body: DocumentPatch, svc: Svc, d_id: int) -> DocumentOut:
    """Change a document's metadata; sharing can only be widened."""
    return DocumentOut.of(svc.update_document(d_id, **body.model_dump(exclude_none=True)), "en")


@router.post(f"{API}/documents/{{d_id}}/versions", status_code=201, dependencies=[ApiWrite])
def api_version(body: VersionIn, svc: Svc, d_id: int) -> CreatedVersion:
    v = svc.add_version(d_id, body.body, body.note)
    return CreatedVersion(id=v.id, number=v.number)


@router.post(f"{API}/versions/{{v_id}}/attachments", status_code=201, dependencies=[ApiWrite])
async def api_attachment(request: Request, svc: Svc, v_id: int) -> StoredAttachment:
    """Upload a file as the raw request body (``?filename=``; at most 5 MiB)."""
    data = await request.body()
    filename = request.query_params.get("filename", "attachment.bin")
    ctype = request.headers.get("content-type", "application/octet-stream")
    a = svc.add_attachment(v_id, filename, ctype, data)
    return StoredAttachment(id=a.id, size=a.size, sha256=a.sha256)
