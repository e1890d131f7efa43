"""Subcommands of `oncall`: one module per command group, each with `register(subparsers)`."""

# The order here is the order `oncall --help` lists them in.
COMMAND_MODULES = [
    "oncall.commands.console",
    "oncall.commands.init",
    "oncall.commands.seed",
    "oncall.commands.ingest",
    "oncall.commands.clients",
    "oncall.commands.reports",
    "oncall.commands.serve",
    "oncall.commands.staff",
    "oncall.commands.keys",
    "oncall.commands.gate",
    "oncall.commands.audit",
    "oncall.commands.resources",
    "oncall.commands.feeds",
    "oncall.commands.rota",
    "oncall.commands.worker",
    "oncall.commands.backup",
    "oncall.commands.restore",
    "oncall.commands.downtime",
]

COMMANDS = {
    "demo": "oncall.commands.console",
    "init": "oncall.commands.init",
    "seed": "oncall.commands.seed",
    "ingest": "oncall.commands.ingest",
    "clients": "oncall.commands.clients",
    "report": "oncall.commands.reports",
    "handoff": "oncall.commands.reports",
    "export": "oncall.commands.reports",
    "board": "oncall.commands.serve",
    "serve": "oncall.commands.serve",
    "staff": "oncall.commands.staff",
    "keys": "oncall.commands.keys",
    "gate": "oncall.commands.gate",
    "audit": "oncall.commands.audit",
    "resources": "oncall.commands.resources",
    "feeds": "oncall.commands.feeds",
    "rota": "oncall.commands.rota",
    "worker": "oncall.commands.worker",
    "backup": "oncall.commands.backup",
    "restore": "oncall.commands.restore",
    "downtime": "oncall.commands.downtime",
}
"""Each top-level command's name and the module that registers it (a test checks this
against what the modules register), so a command line loads only the module it names."""

CONSOLE_MODULE = "oncall.commands.console"
"""Registers `demo`; the console itself (no command) is its default."""
