"""The Textual console; it calls services and owns no business rule."""
