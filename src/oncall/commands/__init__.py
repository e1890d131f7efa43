"""Subcommands of `oncall`: one module per command group, each with `register(subparsers)`."""

# The order here is the order `oncall --help` lists them in.
COMMAND_MODULES = [
    "oncall.commands.console",
    "oncall.commands.seed",
    "oncall.commands.ingest",
    "oncall.commands.reports",
    "oncall.commands.serve",
    "oncall.commands.staff",
    "oncall.commands.audit",
    "oncall.commands.resources",
    "oncall.commands.feeds",
    "oncall.commands.rota",
    "oncall.commands.worker",
    "oncall.commands.backup",
]
