"""Django admin for the call scripts and their versions; scripts are written and published
on the script pages (scripts.views)."""

from django.contrib import admin

from scripts.models import CallScript, ScriptVersion


class ScriptVersionInline(admin.TabularInline):
    model = ScriptVersion
    extra = 0
    fields = ["number", "status", "change_note", "published_at"]
    readonly_fields = ["published_at"]


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "case_kind"]
    list_filter = ["case_kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ScriptVersionInline]


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["script", "number", "status", "published_at", "published_by"]
    list_filter = ["status", "script"]
    search_fields = ["script__name", "change_note"]
