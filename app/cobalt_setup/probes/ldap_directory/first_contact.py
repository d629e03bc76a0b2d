"""First contact, in asyncio: an anonymous LDAPv3 bind and the answer, read and decoded
(at most FIRST_REPLY_CAP bytes). Facts only: a `BindReply`, or `NotLdap` / `ClosedEarly`
with the first bytes the peer sent."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ldap3.protocol.rfc4511 import LDAPMessage
from ldap3.utils.asn1 import decoder
from pyasn1.error import PyAsn1Error

from cobalt_setup.probes.ldap_directory.terms import CHUNK, FIRST_REPLY_CAP
from cobalt_setup.time_limit import within

# An anonymous simple BindRequest, LDAPv3, message id 10 (see the module's docstring):
#   30 0c             LDAPMessage SEQUENCE, 12 bytes
#      02 01 0a       messageID 10
#      60 07          [APPLICATION 0] BindRequest, 7 bytes
#         02 01 03    version 3
#         04 00       name ""
#         80 00       authentication: [0] simple, empty password
BIND_REQUEST = bytes.fromhex("300c02010a600702010304008000")
BIND_MESSAGE_ID = 10
#   30 05 02 01 0b 42 00: messageID 11, [APPLICATION 2] UnbindRequest (NULL)
UNBIND_REQUEST = bytes.fromhex("300502010b4200")


# -- step 2: first contact ------------------------------------------------------------------

class NotLdap(Exception):
    def __init__(self, reason: str, first_bytes: bytes, oversized: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.first_bytes = first_bytes
        self.oversized = oversized


class ClosedEarly(Exception):
    def __init__(self, first_bytes: bytes) -> None:
        super().__init__("closed")
        self.first_bytes = first_bytes


def _message_size(data: bytes) -> int | None:
    """Total size of the LDAPMessage at the start of `data`; None until enough is known.
    Raises NotLdap when the start cannot be an LDAPMessage (a BER SEQUENCE, definite
    length) or when it announces more than FIRST_REPLY_CAP bytes."""
    if not data:
        return None
    if data[0] != 0x30:
        raise NotLdap("its answer does not start like an LDAP message", data[:32])
    if len(data) < 2:
        return None
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4:
        raise NotLdap("its answer does not have an LDAP message length", data[:32])
    if len(data) < 2 + count:
        return None
    size = 2 + count + int.from_bytes(data[2:2 + count], "big")
    if size > FIRST_REPLY_CAP:
        raise NotLdap(f"its answer announces {size} bytes, far more than an LDAP bind "
                       "response", data[:32], oversized=True)
    return size


async def _read_message(reader: asyncio.StreamReader, deadline: float) -> bytes:
    """One whole LDAPMessage, reading at most FIRST_REPLY_CAP bytes in all."""
    data = b""
    while True:
        size = _message_size(data)
        if size is not None and len(data) >= size:
            return data[:size]
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError
        want = min(CHUNK, FIRST_REPLY_CAP - len(data))
        chunk = await within(reader.read(want), left)
        if not chunk:
            raise ClosedEarly(data[:32])
        data += chunk


@dataclass(frozen=True)
class BindReply:
    operation: str  # "bindResponse", or another LDAP operation the server sent instead
    result_code: int | None
    message: str


def _decode_reply(message: bytes) -> BindReply:
    try:
        decoded, _rest = decoder.decode(message, asn1Spec=LDAPMessage())
        operation = decoded["protocolOp"].getName()
        component = decoded["protocolOp"].getComponent()
        code = message_text = None
        if "resultCode" in component:
            code = int(component["resultCode"])
            message_text = str(component["diagnosticMessage"])
    except (PyAsn1Error, KeyError, TypeError, ValueError) as error:
        raise NotLdap(f"its answer is not a valid LDAP message ({error})",
                       message[:32]) from None
    return BindReply(operation, code, message_text or "")


def abort(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.transport.abort()


async def bind_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                     deadline: float) -> BindReply:
    """Bind, read the answer, unbind. Closing (or aborting) the connection is the caller's."""
    writer.write(BIND_REQUEST)
    await within(writer.drain(), max(0.0, deadline - time.monotonic()))
    reply = _decode_reply(await _read_message(reader, deadline))
    writer.write(UNBIND_REQUEST)  # 7 bytes: sent at once on an idle connection
    return reply
