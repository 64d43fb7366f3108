"""The call-script part of Huifang. It starts with the script graph (`scripts.graph`):
its schema, validation, replay, comparison and drawing, as pure functions with no
database. The script models, drafts and publishing, and the editor still live in
`followups` and move here next (docs/architecture.md)."""
