"""The client's own address when govhall runs behind nginx or a load balancer."""

from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _networks(values: list[str]) -> list[IPv4Network | IPv6Network]:
    networks: list[IPv4Network | IPv6Network] = []
    for value in values:
        if value == "*":
            networks += [ip_network("0.0.0.0/0"), ip_network("::/0")]
        else:
            networks.append(ip_network(value, strict=False))
    return networks


class ForwardedClientMiddleware:
    """Put the client's address in REMOTE_ADDR when a trusted proxy passed the request on.

    Behind nginx every request comes from 127.0.0.1: the limits per address (tickets from phones,
    case queries, comments) would count a whole city as one phone, and the audit log would name
    the proxy. X-Forwarded-For is read from the right, past the trusted proxies
    (GOVHALL_TRUSTED_PROXIES); the first other address is the client's. The header of anyone
    else is ignored, since a client can write anything in it. An empty address is a Unix socket,
    which only this machine's processes (nginx) can reach.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = _networks(settings.GOVHALL_TRUSTED_PROXIES)

    def _is_trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.trusted)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        peer = request.META.get("REMOTE_ADDR", "")
        if forwarded and (peer == "" or self._is_trusted(peer)):
            client = peer
            for candidate in reversed(forwarded.split(",")):
                try:
                    client = str(ip_address(candidate.strip()))
                except ValueError:
                    break
                if not self._is_trusted(client):
                    break
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
