"""The client's address behind the TLS proxy (callcenter/client_ip.py): the header is read
only when configured, at the position the trusted proxies wrote, never further left."""

import pytest
from django.test import RequestFactory, override_settings

from callcenter.client_ip import client_ip, meta_key

PROXY = "172.18.0.5"


def address(forwarded_for=None, remote=PROXY, **settings):
    meta = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    with override_settings(**settings):
        return client_ip(RequestFactory().get("/", **meta))


HEADER = {"HUIFANG_CLIENT_IP_HEADER": "X-Forwarded-For"}


def test_without_the_setting_the_peer_is_the_client():
    assert address("203.0.113.7") == PROXY


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.9, 203.0.113.7", "203.0.113.7"),  # the client's own entry is left of it
        ("not an address, 10.0.0.8", "10.0.0.8"),  # an intranet client
        ("[2001:db8::1]:51000", "2001:db8::1"),
        ("", PROXY),  # no usable header: the peer
        ("unknown", PROXY),
        (None, PROXY),
    ],
)
def test_one_proxy_the_last_entry_is_the_client(forwarded_for, expected):
    assert address(forwarded_for, **HEADER) == expected


def test_two_proxies_the_second_entry_from_the_right():
    settings = {**HEADER, "HUIFANG_TRUSTED_PROXY_HOPS": 2}
    assert address("1.1.1.1, 203.0.113.7, 10.0.0.2", **settings) == "203.0.113.7"
    assert address("10.0.0.2", **settings) == PROXY  # fewer entries than proxies


def test_the_header_is_read_only_from_the_trusted_proxies():
    settings = {**HEADER, "HUIFANG_TRUSTED_PROXY_IPS": ["172.18.0.0/16"]}
    assert address("203.0.113.7", **settings) == "203.0.113.7"
    assert address("203.0.113.7", remote="192.0.2.50", **settings) == "192.0.2.50"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("X-Forwarded-For", "HTTP_X_FORWARDED_FOR"),
        ("x-real-ip", "HTTP_X_REAL_IP"),
        ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_FOR"),
        ("Forwarded", "HTTP_FORWARDED"),
    ],
)
def test_header_names_become_meta_keys(header, key):
    assert meta_key(header) == key
