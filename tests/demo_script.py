"""The demo discharge script (followups/demo) answered token by token, as the call screen
posts it: shared by the agent's console tests and the runner's."""

# Up to its satisfaction question, and to its end.
TO_SATISFACTION = [
    "greet",
    "identity:yes",
    "s_purpose",
    "q_recovery:good",
    "q_medication:regular",
    "s_reminder",
]
COMPLETE_PATH = [*TO_SATISFACTION, "q_satisfaction:satisfied", "q_note:一切都好"]
