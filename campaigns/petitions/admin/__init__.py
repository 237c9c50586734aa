"""Organisers' petition tools: signatures (filter, search, invalidate, review and restore
suspect ones), and per petition an invalidation form by criteria, an abuse report,
statistics, the CSV exports and a check of the published counts; venue allowances.

Every write to signatures goes through services (signatures_invalidate,
signatures_restore, petition_counts_check); every report reads through selectors, so the
admin cannot count differently from the rest of the site.
"""

# Importing each module registers its ModelAdmin with the admin site.
from campaigns.petitions.admin import petitions, signatures, venues  # noqa: F401
