"""Ed25519 signing of envelopes and relay hops, and the keyring of trusted public keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trilink import NATIONS, TrilinkError
from trilink.wire.codec import WireError, canonical_bytes, hop_bytes
from trilink.wire.messages import Envelope, Hop, Nation

__all__ = ["Keyring", "NationKey", "fingerprint"]


def fingerprint(public: Ed25519PublicKey) -> str:
    """A short, stable fingerprint of a public key (first 16 hex digits of SHA-256)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class NationKey:
    """A nation's private signing key."""

    def __init__(self, nation: str, private: Ed25519PrivateKey) -> None:
        if nation not in NATIONS:
            raise TrilinkError(f"unknown nation {nation!r}")
        self.nation = nation
        self._private = private
        self.public = private.public_key()

    @classmethod
    def generate(cls, nation: str) -> NationKey:
        return cls(nation, Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, nation: str, path: Path) -> NationKey:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise TrilinkError(f"cannot read private key {path}: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise TrilinkError(f"{path} is not an Ed25519 private key")
        return cls(nation, key)

    def private_pem(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, envelope: Envelope) -> Envelope:
        """Sign an envelope as its origin (which must be this key's nation)."""
        if envelope.origin != self.nation:
            raise TrilinkError(f"{self.nation} key cannot sign for origin {envelope.origin}")
        sig = self._private.sign(canonical_bytes(envelope))
        return msgspec.structs.replace(envelope, signature=sig)

    def add_hop(self, envelope: Envelope, to: Nation, at_ns: int) -> Envelope:
        """Append this nation's signed relay hop; the origin's part stays byte-identical."""
        hop = Hop(nation=self.nation, to=to, at_ns=at_ns)  # type: ignore[arg-type]
        index = len(envelope.hops)
        sig = self._private.sign(hop_bytes(envelope, index, hop))
        hop = msgspec.structs.replace(hop, signature=sig)
        return msgspec.structs.replace(envelope, hops=(*envelope.hops, hop))


class Keyring:
    """The public keys a node trusts, by nation."""

    def __init__(self, keys: Mapping[str, Ed25519PublicKey]) -> None:
        self._keys = dict(keys)

    @classmethod
    def load_dir(cls, directory: Path, nations: Iterable[str] = NATIONS) -> Keyring:
        """Load ``<NATION>.pub`` files found in ``directory``."""
        keys: dict[str, Ed25519PublicKey] = {}
        for nation in nations:
            path = directory / f"{nation}.pub"
            if not path.exists():
                continue
            try:
                key = serialization.load_pem_public_key(path.read_bytes())
            except ValueError as exc:
                raise TrilinkError(f"cannot read public key {path}: {exc}") from None
            if not isinstance(key, Ed25519PublicKey):
                raise TrilinkError(f"{path} is not an Ed25519 public key")
            keys[nation] = key
        return cls(keys)

    def nations(self) -> list[str]:
        return sorted(self._keys)

    def public(self, nation: str) -> Ed25519PublicKey:
        try:
            return self._keys[nation]
        except KeyError:
            raise WireError("unknown_key", f"no trusted key for {nation}") from None

    def verify(self, envelope: Envelope) -> None:
        """Verify the origin signature and every hop, or raise :class:`WireError`."""
        try:
            self.public(envelope.origin).verify(envelope.signature, canonical_bytes(envelope))
        except InvalidSignature:
            raise WireError("bad_signature", f"origin {envelope.origin}") from None
        for index, hop in enumerate(envelope.hops):
            try:
                self.public(hop.nation).verify(hop.signature, hop_bytes(envelope, index, hop))
            except InvalidSignature:
                raise WireError("bad_hop_signature", f"hop {index} by {hop.nation}") from None
