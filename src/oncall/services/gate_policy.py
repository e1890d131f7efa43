"""What a staff member may run through the SSH gate, by role.

The gate (`oncall gate LOGIN`, the forced command of every staff key) runs nothing
but oncall's own commands, parsed with `shlex` and never by a shell. Per role:

- everyone: the console (no command), `rota`, `handoff`, `staff set-pin` (their own PIN);
- clinicians, peers, case managers and supervisors: `downtime pack` (their own encrypted
  downtime pack, on standard output only: `--out` would write a file on the host) and
  `downtime file-back` (their journal on standard input only: a FILE is one on the host);
- supervisors and admins, also: `board`, `report`, `export`, `audit`, `staff unlock`,
  `downtime status`;
- admins, also: `staff add|list|rename|set-role|deactivate|activate`,
  `keys add LOGIN -|list|revoke`.

Never through the gate: `init`, `demo`, `seed`, `ingest`, `clients`, `resources`, `feeds`,
`worker`, `serve`, `backup`, `restore`, `rota import`, `audit anchor` and `gate` itself.
They read or write files on the host, take the dispatcher's place, or make or replace
databases, which is the service account's work at the host.
`--db` and `--authorized-keys` are refused too: the forced command fixed the database,
and a path given by a staff member would let them reach files as the service account.
"""

from __future__ import annotations

from oncall.domain.types import Role

EVERYONE = frozenset(Role)
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
CARE_STAFF = frozenset({Role.CLINICIAN, Role.PEER, Role.CASE_MANAGER, Role.SUPERVISOR})

ALLOWED: dict[str, frozenset[Role]] = {
    "rota": EVERYONE,
    "handoff": EVERYONE,
    "staff set-pin": EVERYONE,
    "downtime pack": CARE_STAFF,
    "downtime file-back": CARE_STAFF,
    "downtime status": SUPERVISORS,
    "board": SUPERVISORS,
    "report": SUPERVISORS,
    "export": SUPERVISORS,
    "audit": SUPERVISORS,
    "staff unlock": SUPERVISORS,
    "staff add": ADMINS,
    "staff list": ADMINS,
    "staff rename": ADMINS,
    "staff set-role": ADMINS,
    "staff deactivate": ADMINS,
    "staff activate": ADMINS,
    "keys add": ADMINS,
    "keys list": ADMINS,
    "keys revoke": ADMINS,
}
HOST_ONLY = frozenset(
    {
        "init",
        "demo",
        "seed",
        "ingest",
        "clients",
        "resources",
        "feeds",
        "worker",
        "serve",
        "backup",
        "restore",
        "gate",
    }
)
GROUPS = frozenset({"staff", "keys", "downtime"})
FIXED_OPTIONS = ("--db", "--authorized-keys")


def command_name(words: list[str]) -> str:
    """The command the words name: 'report', or 'staff add' for a group's action."""
    if words[0] in GROUPS:
        action = next((word for word in words[1:] if not word.startswith("-")), "")
        return f"{words[0]} {action}".strip()
    return words[0]


def refusal(role: Role, words: list[str]) -> str | None:
    """Why the gate refuses these words for this role, as one sentence; None if allowed."""
    if not words:
        return None  # the console itself
    first = words[0]
    for word in words:
        if word.split("=", 1)[0] in FIXED_OPTIONS:
            return f"{word.split('=', 1)[0]} cannot be given here: the gate fixes it."
    if first in HOST_ONLY:
        return f"'{first}' runs only on the host, by the service account."
    if first == "rota" and "import" in words[1:]:  # it reads a file as the service account
        return "'rota import' runs only on the host, by the service account."
    if first == "audit" and "anchor" in words[1:]:  # the worker's work (service_context)
        return "'audit anchor' runs only on the host, by the service account."
    name = command_name(words)
    roles = ALLOWED.get(name)
    if roles is None:
        if first in GROUPS or first in {c.split()[0] for c in ALLOWED}:
            return f"'{name}' is not something the gate runs."
        return f"'{first[:40]}' is not an oncall command; this account runs only oncall."
    if role not in roles:
        return f"'{name}' is not allowed for a {role.value.replace('_', ' ')}."
    if name == "downtime pack" and any(w.split("=", 1)[0] == "--out" for w in words):
        return "Through the gate the pack comes on standard output: downtime pack > FILE"
    if name == "downtime file-back" and len([w for w in words[1:] if w[:1] != "-"]) > 1:
        return "Through the gate the journal comes on standard input: downtime file-back < FILE"
    if name == "keys add" and words[-1] != "-":
        return "Through the gate a key comes on standard input: keys add LOGIN - < key.pub"
    return None
