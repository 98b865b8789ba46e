"""Admin of orders: the lines are a read-only snapshot; staff change the status only (Order.clean() rules it)."""

from __future__ import annotations

from django.contrib import admin

from apps.orders.models import Cart, CartLine, Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["kind", "product_id", "product_name", "category_name", "options", "quantity", "unit_price",
              "line_total"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "name", "status", "total", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "email", "user__username"]
    fields = ["user", "name", "email", "address", "status", "total", "currency", "payment_method",
              "idempotency_key", "created_at", "updated_at"]
    readonly_fields = [f for f in fields if f != "status"]
    inlines = [OrderLineInline]

    def has_add_permission(self, request) -> bool:
        return False  # orders are placed from a cart (apps.orders.services.placement), never typed in

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    fields = ["kind", "product_id", "category_id", "option_ids", "quantity"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "updated_at"]
    fields = ["user", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [CartLineInline]

    def has_add_permission(self, request) -> bool:
        return False
