"""Pure domain logic: no I/O, no Textual, no SQL. Every function takes `now` or a window."""
