"""Turning the admin's calling policies into the pure rules of followups.scheduling.

A read: it lives in followups/selectors/policies.py (reports need it, and reads never import
services); the names stay importable from here for the services that use them.
"""

from followups.selectors.policies import (
    calling_rules,
    default_policy_id,
    policies_with_rules,
    rules_for_case,
)

__all__ = ["calling_rules", "default_policy_id", "policies_with_rules", "rules_for_case"]
