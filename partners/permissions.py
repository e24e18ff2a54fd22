from rest_framework.permissions import BasePermission

from partners.models import PartnerKey


class HasPartnerKey(BasePermission):
    """Allow a request that authenticated with a partner key, and nothing else."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, PartnerKey)
