"""The role table gates every API route as it gates the pages (members.access): a route declares its
entry (`access`), a caller whose roles the table gives nothing gets 403, and objects are then read
through `for_user(user, action)`, so one outside the caller's organizations is a 404."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from members import access
from members.access import PUBLIC


class TableRule(BasePermission):
    def has_permission(self, request, view) -> bool:
        rule = view.access_rule(request.method)
        if rule == PUBLIC:
            return True
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        if rule.in_table and not access.may(request.user, rule.kind, rule.action):
            raise exceptions.PermissionDenied(access.refusal(rule.kind, rule.action))
        return True
