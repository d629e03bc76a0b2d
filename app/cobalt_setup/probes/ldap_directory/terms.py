"""The Space Directory's names and caps: what Open Cobalt's LDAP schema calls things, and
how much the probe reads at most."""

from __future__ import annotations

from cobalt_setup.services import BY_ID

SERVICE = "ldap"
PROBE_ID = "ldap.directory"
DEFAULT_PORT = BY_ID[SERVICE].first_port
OBJECT_CLASS = "openCobaltSpaces"
SPACE_ATTRIBUTE = "x-openCobaltSpace"
PEOPLE_RDN = "ou=people"

FIRST_REPLY_CAP = 64 * 1024  # a bind response is tens of bytes
DIRECTORY_READ_CAP = 4 * 1024 * 1024  # root DSE + schema (~60 KiB on a plain slapd) + spaces
SEARCH_SIZE_LIMIT = 1000  # entries per naming context when counting spaces
CHUNK = 16 * 1024  # the most read at once
