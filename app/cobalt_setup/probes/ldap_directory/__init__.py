"""The Space Directory probe: is there an LDAP server, and is it Open Cobalt's directory?

Open Cobalt finds and publishes spaces in an LDAP directory (TCP 1389 by default): people
under `ou=people`, extended with the auxiliary class `openCobaltSpaces` and the attribute
`x-openCobaltSpace`. The probe works in three steps, each within one overall deadline
(`timeout`), and says in plain words where it stopped:

1. Look up the host (the system's resolver; an IP literal needs none). Whether Open
   Cobalt's own DNS servers agree is name_resolution.compare_resolution's job.
2. First contact, in asyncio: connect (each address in turn), send an anonymous LDAPv3
   BindRequest and read the answer, at most FIRST_REPLY_CAP bytes. This tells "refused",
   "timed out", "not LDAP" and "anonymous bind refused" apart without any thread, so a
   cancelled or timed-out probe closes its socket at once. The request carries message
   id 10, whose encoding contains the byte 0x0A (a line feed): a line-based text server
   on the port (HTTP, SMTP, ...) then sees a complete line and answers with an error at
   once, instead of waiting for a line end until our timeout.
3. The directory, with ldap3 in a worker thread (ldap3 is synchronous), on a second
   connection to the address that answered: anonymous bind, the root DSE (namingContexts,
   supportedLDAPVersion, vendorName), the schema (subschemaSubentry: objectClasses,
   attributeTypes) and, when the schema has Open Cobalt's class, the published spaces
   (entries under `ou=people,<naming context>` with x-openCobaltSpace, values counted,
   size-limited). ldap3 gets its own connect and receive timeouts and a socket that
   refuses to read more than DIRECTORY_READ_CAP bytes in all; the asyncio side waits
   with asyncio.wait_for and, on timeout or cancellation, shuts the thread's socket down,
   which ends the thread's blocked read at once.

The verdicts (status: summary):
- FAILED: the host is not a valid name, does not resolve, or the name look-up timed out;
- FAILED: nothing listens (refused), or the host cannot be reached;
- FAILED: timed out (no answer to the connection, or accepted and then said nothing, or
  trickled too slowly to finish an answer);
- FAILED: something answers, but it is not an LDAP server (including a reply far larger
  than any bind response, and a peer that closes without answering);
- WARNING: an LDAP server that refuses anonymous access, whose schema cannot be read, or
  whose answers are too large to check;
- WARNING: an LDAP server, but not an Open Cobalt directory (no openCobaltSpaces class, or
  the class without its attribute);
- WARNING: an Open Cobalt directory whose spaces cannot be read anonymously;
- FAILED: an LDAP server that stopped answering, or broke off, while the directory was read;
- OK: an Open Cobalt directory; the summary says how many spaces it publishes.

Parts: `terms` (names and caps), `first_contact` (the bind, read from the wire),
`directory` (the ldap3 reading), `verdict` (the words), `check` (`probe_space_directory`).
"""

from cobalt_setup.probes.ldap_directory.check import probe_space_directory, system_resolve
from cobalt_setup.probes.ldap_directory.terms import (
    DEFAULT_PORT,
    OBJECT_CLASS,
    PEOPLE_RDN,
    PROBE_ID,
    SERVICE,
    SPACE_ATTRIBUTE,
)

__all__ = ["DEFAULT_PORT", "OBJECT_CLASS", "PEOPLE_RDN", "PROBE_ID", "SERVICE",
           "SPACE_ATTRIBUTE", "probe_space_directory", "system_resolve"]
