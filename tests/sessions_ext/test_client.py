"""Client address and agent as the session and activity record them."""

from __future__ import annotations

import pytest

from sessions_ext.client import USER_AGENT_MAX, client_ip, truncate_ip, user_agent


@pytest.mark.parametrize(("address", "network"), [
    ("192.0.2.77", "192.0.2.0"),
    ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
])
def test_truncate_ip(address, network):
    assert truncate_ip(address) == network


def test_remote_addr_by_default(rf):
    request = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert client_ip(request) == "198.51.100.9"  # the header is not trusted unless configured


def test_configured_proxy_header_first_entry(rf, settings):
    settings.SESSIONS_EXT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 10.0.0.1")
    assert client_ip(request) == "203.0.113.1"


def test_garbage_address_is_none(rf, settings):
    settings.SESSIONS_EXT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", REMOTE_ADDR="not-an-ip", HTTP_X_FORWARDED_FOR="<script>")
    assert client_ip(request) is None


def test_user_agent_is_cut_to_the_column(rf):
    assert len(user_agent(rf.get("/", HTTP_USER_AGENT="x" * 1000))) == USER_AGENT_MAX
