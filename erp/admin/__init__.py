"""Admin for the platform: the branded site, entities and API keys (writes go through services)."""

from django.contrib import admin

from erp.admin import api_keys, entities, login_attempts

admin.site.site_header = "Folio back office"
admin.site.site_title = "Folio"
admin.site.index_title = "Numbering, receivables and payables"

__all__ = ["api_keys", "entities", "login_attempts"]
