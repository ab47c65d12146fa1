"""Documents, versions and attachments."""

from typing import Self

from pydantic import BaseModel

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Attachment, Document, DocumentVersion
from trilink.secretariat.web.schemas.common import Date, I18nIn, Nations, StrictIn, StrictPatch, iso

__all__ = [
    "AttachmentOut",
    "CreatedVersion",
    "DocumentIn",
    "DocumentOut",
    "DocumentPatch",
    "StoredAttachment",
    "VersionIn",
    "VersionOut",
]


class DocumentIn(StrictIn):
    key: str
    kind: str
    title: I18nIn
    body: I18nIn
    issued_on: str | None = None
    source_url: str | None = None
    note: str = ""
    visible_to: Nations = "all"


class DocumentPatch(StrictPatch):
    """Metadata to change (left out: unchanged; ``""`` clears the issue date or source);
    ``visible_to`` can only be widened. Texts change through new versions."""

    kind: str | None = None
    title: I18nIn | None = None
    issued_on: str | None = None
    source_url: str | None = None
    visible_to: Nations | None = None


class VersionIn(StrictIn):
    body: I18nIn
    note: str = ""


class AttachmentOut(BaseModel):
    id: int
    filename: str
    size: int
    sha256: str

    @classmethod
    def of(cls, a: Attachment) -> Self:
        return cls(id=a.id, filename=a.filename, size=a.size, sha256=a.sha256)


class StoredAttachment(BaseModel):
    id: int
    size: int
    sha256: str


class VersionOut(BaseModel):
    id: int
    number: int
    note: str
    body: str
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, v: DocumentVersion, lang: str) -> Self:
        return cls(
            id=v.id,
            number=v.number,
            note=v.note,
            body=pick(v.body, lang),
            attachments=[AttachmentOut.of(a) for a in v.attachments],
        )


class CreatedVersion(BaseModel):
    id: int
    number: int


class DocumentOut(BaseModel):
    id: int
    key: str
    kind: str
    title: str
    issued_on: Date | None
    source_url: str | None
    visible_to: list[str]
    versions: list[VersionOut]

    @classmethod
    def of(cls, d: Document, lang: str) -> Self:
        return cls(
            id=d.id,
            key=d.key,
            kind=d.kind,
            title=pick(d.title, lang),
            issued_on=iso(d.issued_on),
            source_url=d.source_url,
            visible_to=list(d.visible_to),
            versions=[VersionOut.of(v, lang) for v in d.versions],
        )
