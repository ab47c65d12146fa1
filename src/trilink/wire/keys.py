"""Key material on disk: a nation's Ed25519 signing key pair and its TLS CA and server certificate.

Layout in a key directory (one directory may hold several nations; partners exchange only
``<N>.pub`` and ``<N>-ca.pem``)::

    KOR.key          Ed25519 private key (PKCS8 PEM, mode 0600)
    KOR.pub          Ed25519 public key (SubjectPublicKeyInfo PEM)
    KOR-ca.pem       the nation's TLS certificate authority (self-signed, EC P-256)
    KOR-ca.key       its private key (0600)
    KOR-server.pem   the nation's NATS server certificate, signed by KOR-ca
    KOR-server.key   its private key (0600)
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from trilink import NATIONS, TrilinkError
from trilink.wire.signing import Keyring, NationKey, fingerprint

__all__ = [
    "KeyFiles",
    "init_nation",
    "key_files",
    "list_keys",
    "load_signing_key",
    "server_subject",
    "trust_bundle",
]


@dataclass(frozen=True)
class KeyFiles:
    """Paths of one nation's key material."""

    nation: str
    signing_key: Path
    signing_pub: Path
    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def key_files(directory: Path, nation: str) -> KeyFiles:
    """Where a nation's files live in ``directory``."""
    d = Path(directory)
    return KeyFiles(
        nation=nation,
        signing_key=d / f"{nation}.key",
        signing_pub=d / f"{nation}.pub",
        ca_cert=d / f"{nation}-ca.pem",
        ca_key=d / f"{nation}-ca.key",
        server_cert=d / f"{nation}-server.pem",
        server_key=d / f"{nation}-server.key",
    )


def _server_name(nation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trilink"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"trilink {nation} server"),
        ]
    )


def server_subject(nation: str) -> str:
    """The subject of a nation's server certificate as nats-server names a certificate user."""
    return _server_name(nation).rfc4514_string()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _ec_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def init_nation(
    directory: Path,
    nation: str,
    hosts: Sequence[str] = ("localhost", "127.0.0.1"),
    force: bool = False,
    now: dt.datetime | None = None,
    valid_days: int = 825,
) -> KeyFiles:
    """Make a nation's signing key pair, TLS CA and server certificate; never overwrite silently."""
    if nation not in NATIONS:
        raise TrilinkError(f"unknown nation {nation!r}; expected one of {', '.join(NATIONS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = key_files(directory, nation)
    existing = [
        p
        for p in (files.signing_key, files.signing_pub, files.ca_cert, files.server_cert)
        if p.exists()
    ]
    if existing and not force:
        raise TrilinkError(f"keys for {nation} already exist in {directory} (use --force)")
    signing = NationKey.generate(nation)
    _write_private(files.signing_key, signing.private_pem())
    files.signing_pub.write_bytes(signing.public_pem())

    now = now or dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trilink"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"trilink {nation} CA"),
        ]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.ca_key, _ec_pem(ca_key))
    files.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))

    srv_key = ec.generate_private_key(ec.SECP256R1())
    sans: list[x509.GeneralName] = []
    for host in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            sans.append(x509.DNSName(host))
    srv_cert = (
        x509.CertificateBuilder()
        .subject_name(_server_name(nation))
        .issuer_name(ca_name)
        .public_key(srv_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # Servers both accept and solicit leaf links, so the one certificate serves both ends.
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.server_key, _ec_pem(srv_key))
    files.server_cert.write_bytes(srv_cert.public_bytes(serialization.Encoding.PEM))
    return files


def load_signing_key(directory: Path, nation: str) -> NationKey:
    """Load a nation's private signing key from a key directory."""
    path = key_files(directory, nation).signing_key
    if not path.exists():
        raise TrilinkError(f"no signing key for {nation} in {directory} (run `trilink keys init`)")
    return NationKey.load(nation, path)


def list_keys(directory: Path) -> list[dict[str, object]]:
    """What a key directory holds, per nation (public facts only)."""
    ring = Keyring.load_dir(Path(directory))
    rows: list[dict[str, object]] = []
    for nation in NATIONS:
        files = key_files(directory, nation)
        if not (files.signing_pub.exists() or files.ca_cert.exists()):
            continue
        row: dict[str, object] = {
            "nation": nation,
            "public_key": str(files.signing_pub) if files.signing_pub.exists() else None,
            "fingerprint": fingerprint(ring.public(nation)) if nation in ring.nations() else None,
            "private_key": files.signing_key.exists(),
            "ca_cert": str(files.ca_cert) if files.ca_cert.exists() else None,
            "server_cert": str(files.server_cert) if files.server_cert.exists() else None,
        }
        if files.server_cert.exists():
            cert = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
            row["server_cert_expires"] = cert.not_valid_after_utc.isoformat()
        rows.append(row)
    return rows


def trust_bundle(directory: Path, out: Path) -> Path:
    """Concatenate every nation's CA certificate in ``directory`` into one PEM bundle."""
    pems = [key_files(directory, n).ca_cert for n in NATIONS]
    present = [p.read_bytes() for p in pems if p.exists()]
    if not present:
        raise TrilinkError(f"no CA certificates in {directory}")
    out.write_bytes(b"".join(present))
    return out
