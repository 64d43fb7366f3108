"""Shared by the API tests: a Monday in Shanghai (tests/clock.py), and clients for a user."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.clock import MONDAY, SHANGHAI, at

__all__ = ["MONDAY", "SHANGHAI", "api_for", "at", "token_client_for"]


def api_for(user) -> APIClient:
    # Messages are asserted in English (the msgids); the default language is Chinese.
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def token_client_for(user) -> APIClient:
    """A client that authenticates with a token of the user's, as integrations do."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
