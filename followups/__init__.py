"""The follow-up domain: people, cases, plans, scripts, calls and their audit trail."""
