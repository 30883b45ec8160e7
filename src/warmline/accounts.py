"""People who work the inbox: create them, rotate their API keys, authenticate requests."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace

from warmline.clock import Clock, IdGenerator
from warmline.domain.ids import UserId
from warmline.domain.users import User, UserRole
from warmline.engine.conversations import hash_secret
from warmline.errors import AuthenticationError, InvalidInputError
from warmline.storage.ports import UserRepo

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KEY_PREFIX = "wl_"


@dataclass(frozen=True)
class NewUser:
    user: User
    api_key: str


class AccountService:
    def __init__(self, users: UserRepo, clock: Clock, ids: IdGenerator) -> None:
        self._users = users
        self._clock = clock
        self._ids = ids

    def create(self, email: str, role: UserRole, name: str | None = None) -> NewUser:
        email = email.strip().lower()
        if not _EMAIL.match(email):
            raise InvalidInputError(f"{email!r} is not an email address")
        api_key = KEY_PREFIX + secrets.token_urlsafe(32)
        user = User(
            id=UserId(self._ids.new("usr")),
            email=email,
            name=name,
            role=role,
            api_key_hash=hash_secret(api_key),
            created_at=self._clock.now(),
        )
        self._users.add(user)
        return NewUser(user, api_key)

    def ensure(self, email: str, role: UserRole, name: str | None = None) -> NewUser:
        """Create the user, or give an existing one a fresh API key (the old one stops working)."""
        existing = self._users.find_by_email(email.strip().lower())
        if existing is None:
            return self.create(email, role, name)
        api_key = KEY_PREFIX + secrets.token_urlsafe(32)
        updated = replace(existing, api_key_hash=hash_secret(api_key), role=role, name=name)
        self._users.update(updated)
        return NewUser(updated, api_key)

    def authenticate(self, api_key: str | None) -> User:
        if not api_key:
            raise AuthenticationError("sign in or send an agent API key")
        user = self._users.find_by_api_key_hash(hash_secret(api_key))
        if user is None:
            raise AuthenticationError("this API key is not valid")
        return user

    def login(self, email: str, api_key: str) -> User:
        user = self.authenticate(api_key)
        if user.email != email.strip().lower():
            raise AuthenticationError("this email and API key do not match")
        return user
