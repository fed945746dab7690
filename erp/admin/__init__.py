"""Admin for the platform: the site, entities, API keys, memberships, users (writes go through services)."""

from django.contrib import admin

from erp.admin import activity, api_keys, entities, login_attempts, memberships, users

admin.site.site_header = "Folio back office"
admin.site.site_title = "Folio"
admin.site.index_title = "Numbering, receivables and payables"

__all__ = ["activity", "api_keys", "entities", "login_attempts", "memberships", "users"]
