"""Pure rules and types of the on-call console: no I/O, no Textual."""
