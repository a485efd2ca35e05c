"""Annotator accounts on a Label Studio server: the invite link, and sign-up for scripted setups.

Label Studio's community edition has no API to create a user who can log in: a user signs up
through the organisation's invite link. ``invite_link`` gives that link (what an annotation
lead sends to annotators); ``sign_up`` performs the sign-up for scripted and test setups and
returns the new user's API token.
"""

from __future__ import annotations

from typing import Any

from newsspan.dataset.errors import SyncError

__all__ = ["invite_link", "sign_up"]


def invite_link(url: str, token: str) -> str:
    """The organisation's sign-up link (absolute URL)."""
    import httpx

    response = httpx.get(f"{url}/api/invite", headers={"Authorization": f"Token {token}"}, timeout=30)
    _check(response, "read the invite link")
    return f"{url}{response.json()['invite_url']}"


def sign_up(url: str, admin_token: str, *, email: str, password: str) -> str:
    """Create an annotator through the invite link and return their API token."""
    import httpx

    link = invite_link(url, admin_token)
    with httpx.Client(timeout=30, follow_redirects=False) as session:
        session.get(link)
        response = session.post(
            link,
            data={"email": email, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": link},
        )
        if response.status_code != 302:
            raise SyncError(
                f"signing up {email} failed (HTTP {response.status_code}); the e-mail may be taken",
                status=response.status_code,
            )
        token = session.get(f"{url}/api/current-user/token")
        _check(token, f"read the token of {email}")
        return str(token.json()["token"])


def _check(response: Any, what: str) -> None:
    if response.status_code != 200:
        raise SyncError(f"could not {what}: HTTP {response.status_code}", status=response.status_code)
