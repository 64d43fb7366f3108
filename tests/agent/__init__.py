"""The agent console: pages and htmx endpoints of followups.views.agent."""
