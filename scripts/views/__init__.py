"""The script pages (their URLs are in scripts.urls): pages (the list, reading, creating,
import and export), editor (the draft editor and publishing), preview, compare, and what
they share (common)."""
