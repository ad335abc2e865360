"""What a request says about its client: address (optionally truncated) and agent."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest

from sessions_ext import conf

USER_AGENT_MAX = 300  # the column's length


def truncate_ip(address: str) -> str:
    """The network part of ``address``: IPv4 /24, IPv6 /48 (enough to tell places apart)."""
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as configured, or None when there is no valid one."""
    header = conf.get("SESSIONS_EXT_CLIENT_IP_HEADER")
    raw = request.META.get(header, "") if header else ""
    # X-Forwarded-For lists client, proxy1, ...: the first entry is the client.
    raw = raw.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")
    try:
        address = str(ipaddress.ip_address(raw))
    except ValueError:
        return None
    return truncate_ip(address) if conf.get("SESSIONS_EXT_TRUNCATE_IP") else address


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
