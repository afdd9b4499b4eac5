"""The client's address behind trusted proxies: every way X-Forwarded-For can be written."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from returndesk.core.clients import client_address, networks_parse, public_origin, request_client_address

PROXIES = networks_parse(["10.0.0.0/8", "192.168.1.1", "fd00::/8"])


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        # Not from a proxy: the peer, whatever the header claims.
        ("203.0.113.7", "", "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # From a proxy: the right-most address that is not a proxy.
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, 10.1.2.3", "198.51.100.1"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.1, 192.168.1.1", "198.51.100.1"),
        # What the client wrote further left proves nothing.
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        # Spaces, ports and brackets as proxies write them.
        ("10.0.0.2", " 198.51.100.1:4711 ", "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        ("10.0.0.2", "[2001:DB8::1]", "2001:db8::1"),
        ("10.0.0.2", "2001:DB8:0:0::1", "2001:db8::1"),
        ("fd00::1", "2001:db8::2", "2001:db8::2"),
        # An IPv4 client on a dual-stack socket is one client.
        ("::ffff:203.0.113.9", "", "203.0.113.9"),
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),
        # No header, an empty one, or nothing but proxies: the last address the chain vouches for.
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "   ", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3, 10.0.0.4", "10.0.0.3"),
        # A broken chain stops at the last proxy before the break.
        ("10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1, unknown, 10.0.0.5", "10.0.0.5"),
        ("10.0.0.2", "198.51.100.1,,10.0.0.5", "10.0.0.5"),
        # A peer that is no address (a Unix socket) is kept as it came.
        ("", "198.51.100.1", ""),
        ("unix", "198.51.100.1", "unix"),
    ],
)
def test_client_address(remote_addr, forwarded_for, expected):
    assert client_address(remote_addr, forwarded_for, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_never_believed():
    assert client_address("10.0.0.2", "198.51.100.1", []) == "10.0.0.2"


def test_an_ipv4_network_never_contains_an_ipv6_address():
    assert client_address("::a00:2", "198.51.100.1", networks_parse(["10.0.0.0/8"])) == "::a00:2"


def test_networks_parse_names_the_entry_that_is_not_one():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address"):
        networks_parse(["10.0.0.0/8", "10.0.0.0/33"])


def test_networks_parse_takes_bare_addresses_and_host_bits():
    assert [str(network) for network in networks_parse([" 10.1.2.3 ", "10.1.2.3/8", "::1"])] == [
        "10.1.2.3/32",
        "10.0.0.0/8",
        "::1/128",
    ]


def test_the_request_address_follows_the_setting(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.TRUSTED_PROXIES = []
    assert request_client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXIES = networks_parse(["10.0.0.0/8"])
    assert request_client_address(request) == "198.51.100.1"


def test_public_origin_is_the_setting_else_the_request(settings):
    request = RequestFactory().get("/x", HTTP_HOST="localhost:8000")
    settings.PUBLIC_URL = ""
    assert public_origin(request) == "http://localhost:8000"
    settings.PUBLIC_URL = "https://returns.example/"
    assert public_origin(request) == "https://returns.example"
