"""The call-script part of Huifang (docs/architecture.md): the script graph (`scripts.graph`,
pure: schema, validation, replay, comparison, drawing), the models (`scripts.models`, whose
tables keep their followups_ names), the services (`scripts.services`: drafts, edits,
publishing, import and export, the values of the variables), the one runner that says what
the agent sees at a step (`scripts.runner`), the script pages and editor (`scripts.views`,
`scripts.urls`), the API (`scripts.api`) and the admin."""
