"""Documents (joint statements, agreements), their versions and attachments."""

from __future__ import annotations

import hashlib
from typing import Any

from trilink.secretariat.errors import ValidationError, not_found
from trilink.secretariat.models import Attachment, Document, DocumentVersion
from trilink.secretariat.services.base import ServiceBase
from trilink.secretariat.validate import (
    MAX_BODY,
    check_choice,
    check_key,
    check_text,
    check_url,
    i18n_field,
    parse_date,
)

__all__ = ["DOCUMENT_KINDS", "MAX_ATTACHMENT", "DocumentServices"]

DOCUMENT_KINDS = ("joint_statement", "agreement", "framework", "other")
MAX_ATTACHMENT = 5 * 1024 * 1024


class DocumentServices(ServiceBase):
    """Documents, versions and attachments (reached through their visible document)."""

    def create_document(
        self,
        key: str,
        kind: str,
        title: Any,
        *,
        body: Any,
        issued_on: Any = None,
        source_url: str | None = None,
        note: str = "",
        visible_to: Any = "all",
    ) -> Document:
        """Add a joint statement or agreement with its first version."""
        self._staff()
        doc = Document(
            key=check_key("key", key),
            kind=check_choice("kind", kind, DOCUMENT_KINDS),
            title=i18n_field("title", title),
            issued_on=parse_date("issued_on", issued_on) if issued_on else None,
            source_url=check_url("source_url", source_url) if source_url else None,
            created_at=self.now(),
        )
        self._share(doc, visible_to, "document")
        doc.versions.append(self._version(1, body, note))
        self._add(doc, doc.visible_to)
        return doc

    def update_document(
        self,
        doc_id: int,
        *,
        kind: str | None = None,
        title: Any = None,
        issued_on: Any = None,
        source_url: str | None = None,
        visible_to: Any = None,
    ) -> Document:
        """Change a document's metadata (``None``: unchanged; ``""`` clears the issue date or
        source). Texts change through new versions. Sharing can only be widened."""
        doc, before = self._edit(Document, doc_id)
        if kind is not None:
            doc.kind = check_choice("kind", kind, DOCUMENT_KINDS)
        if title is not None:
            doc.title = i18n_field("title", title)
        if issued_on is not None:
            doc.issued_on = parse_date("issued_on", issued_on) if issued_on else None
        if source_url is not None:
            doc.source_url = check_url("source_url", source_url) if source_url else None
        return self._updated(doc, before, visible_to)

    def add_version(self, doc_id: int, body: Any, note: str = "") -> DocumentVersion:
        """A new version of a document."""
        self._staff()
        doc = self._get(Document, doc_id)
        v = self._version(len(doc.versions) + 1, body, note)
        v.document_id = doc.id
        self._add(v, doc.visible_to)
        return v

    def _version(self, number: int, body: Any, note: str) -> DocumentVersion:
        return DocumentVersion(
            number=number,
            body=i18n_field("body", body, limit=MAX_BODY),
            note=check_text("note", note, limit=500, required=False),
            author=self.user.username,
            created_at=self.now(),
        )

    def add_attachment(
        self, version_id: int, filename: str, content_type: str, data: bytes
    ) -> Attachment:
        """Attach a file (at most 5 MiB) to a document version."""
        self._staff()
        v = self.session.get(DocumentVersion, version_id)
        if v is None:
            raise not_found()
        doc = self._get(Document, v.document_id)
        if len(data) > MAX_ATTACHMENT:
            raise ValidationError(f"attachment: {len(data)} bytes; at most {MAX_ATTACHMENT}")
        name = check_text("filename", filename, limit=255)
        if "/" in name or "\\" in name:
            raise ValidationError("filename: must not contain a path")
        a = Attachment(
            version_id=v.id,
            filename=name,
            content_type=check_text("content_type", content_type, limit=100),
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )
        self._add(a, doc.visible_to)
        return a

    def list_documents(self) -> list[Document]:
        """Visible documents."""
        return self._list(Document, Document.issued_on, Document.id)

    def document(self, doc_id: int) -> Document:
        """One visible document."""
        return self._get(Document, doc_id)

    def document_by_key(self, key: str) -> Document:
        """One visible document by key."""
        return self._by_key(Document, key)

    def attachment(self, a_id: int) -> Attachment:
        """One attachment of a visible document."""
        a = self.session.get(Attachment, a_id)
        v = self.session.get(DocumentVersion, a.version_id) if a is not None else None
        if a is None or v is None:
            raise not_found()
        self._get(Document, v.document_id)
        return a
