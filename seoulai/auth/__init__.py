"""People, roles, departments and what each may read."""

from seoulai.auth.people import ROLES, Person, readable_collections

__all__ = ["ROLES", "Person", "readable_collections"]
