"""What the chat server's direct TLS certificate says: subject, issuer, expiry.

The ssl module decodes only a certificate it verified; for one that did not verify (the
usual self-signed lab or home server) the DER bytes are decoded with pyasn1-modules'
RFC 5280 types. pyasn1 comes with ldap3 already, and the frozen app gains one 51 KB
module; `cryptography` would do the same with some 15 MB of compiled code.
"""

from __future__ import annotations

import contextlib
import ssl
from typing import Any

from pyasn1.codec.der import decoder
from pyasn1.error import PyAsn1Error
from pyasn1_modules import rfc5280

from cobalt_setup.probes.xmpp.stream import short_text

# The distinguished-name attributes shown, by the ssl module's names and by their OIDs.
_SHORT_NAMES = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
                "countryName": "C", "localityName": "L", "stateOrProvinceName": "ST"}
_NAME_OIDS = {rfc5280.id_at_commonName: "CN", rfc5280.id_at_organizationName: "O",
              rfc5280.id_at_organizationalUnitName: "OU", rfc5280.id_at_countryName: "C",
              rfc5280.id_at_localityName: "L", rfc5280.id_at_stateOrProvinceName: "ST"}


def certificate_facts(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    decoded = ssl_object.getpeercert()  # filled only by a verified handshake
    if decoded:
        facts["subject"] = _name_text(decoded.get("subject", ()))
        facts["issuer"] = _name_text(decoded.get("issuer", ()))
        if decoded.get("notAfter"):
            facts["not_after"] = str(decoded["notAfter"])
        return facts
    der = ssl_object.getpeercert(binary_form=True)
    if der:
        # The handshake took it; if its names cannot be read they are left out.
        with contextlib.suppress(PyAsn1Error, ValueError):
            facts["subject"], facts["issuer"] = subject_and_issuer(der)
    return facts


def _name_text(name: Any) -> str:
    parts = []
    for rdn in name:
        for key, value in rdn:
            if key in _SHORT_NAMES:
                parts.append(f"{_SHORT_NAMES[key]}={value}")
    return short_text(", ".join(parts))


def _der_name_text(name: rfc5280.Name) -> str:
    parts = []
    for rdn in name["rdnSequence"]:
        for attribute in rdn:
            label = _NAME_OIDS.get(attribute["type"])
            if label is None:
                continue
            value, _rest = decoder.decode(bytes(attribute["value"]))  # a string type
            parts.append(f"{label}={value}")
    return short_text(", ".join(parts))


def subject_and_issuer(der: bytes) -> tuple[str, str]:
    """The subject and issuer of a DER certificate as 'CN=..., O=...' (not verified)."""
    certificate, _rest = decoder.decode(der, asn1Spec=rfc5280.Certificate())
    signed = certificate["tbsCertificate"]
    return _der_name_text(signed["subject"]), _der_name_text(signed["issuer"])
