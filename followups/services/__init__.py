"""The verbs of the call center: each a function a user would name."""
