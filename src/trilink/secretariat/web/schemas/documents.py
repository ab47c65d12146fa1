"""Documents, versions and attachments."""

from typing import Self

from pydantic import BaseModel

from trilink.secretariat.i18n import pick
from trilink.secretariat.models import Document, DocumentVersion
from trilink.secretariat.web.schemas.common import (
    Date,
    I18nIn,
    Nations,
    OrmOut,
    StrictIn,
    StrictPatch,
    iso,
    patch_of,
)

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


@patch_of(DocumentIn, "kind title issued_on source_url visible_to")
class DocumentPatch(StrictPatch):
    """Metadata to change (left out: unchanged; ``""`` clears the issue date or source);
    ``visible_to`` can only be widened. Texts change through new versions."""


class VersionIn(StrictIn):
    body: I18nIn
    note: str = ""


class AttachmentOut(OrmOut):
    id: int
    filename: str
    size: int
    sha256: str


class StoredAttachment(BaseModel):
    id: int
    size: int
    sha256: str


class VersionOut(OrmOut):
    id: int
    number: int
    note: str
    body: str
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, v: DocumentVersion, lang: str) -> Self:
        return cls.copy_of(
            v,
            body=pick(v.body, lang),
            attachments=[AttachmentOut.copy_of(a) for a in v.attachments],
        )


class CreatedVersion(BaseModel):
    id: int
    number: int


class DocumentOut(OrmOut):
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
        return cls.copy_of(
            d,
            title=pick(d.title, lang),
            issued_on=iso(d.issued_on),
            versions=[VersionOut.of(v, lang) for v in d.versions],
        )
