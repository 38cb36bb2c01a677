"""People, roles, the org chart and the one policy that decides who may read, manage and review what."""

from seoulai.auth.people import Person
from seoulai.auth.roles import Role

__all__ = ["Person", "Role"]
