"""What every catalog/product viewset shares: strict paging and lookups, filters, and an honest schema."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS

from apps.catalog.api.filters import FILTER_BACKENDS
from apps.catalog.api.permissions import StaffModelPermissionsOrReadOnly


class PublicReadsAutoSchema(AutoSchema):
    """Documents that reads of public-read views need no credentials (drf-spectacular only knows DRF's own)."""

    def get_auth(self) -> list:
        auths = super().get_auth()
        public = any(isinstance(p, StaffModelPermissionsOrReadOnly) for p in self.view.get_permissions())
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


class StrictPageNumberPagination(PageNumberPagination):
    """`?page=` must be a positive integer when given: an empty or repeated value is 404 like any invalid page."""

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        if not values:
            return 1
        if len(values) > 1 or not values[0].isdigit():
            raise NotFound("Invalid page.")
        return values[0]


class CatalogViewSet(viewsets.ModelViewSet):
    filter_backends = FILTER_BACKENDS
    pagination_class = StrictPageNumberPagination
    schema = PublicReadsAutoSchema()
    # Any segment reaches the view, so `/api/parts/0.5/` is DRF's JSON 404 rather than Django's HTML one.
    lookup_value_regex = r"[^/]+"
