"""Every write of petitions: signing, confirming, invalidating, restoring, counting and
checking the counts. The web page, the API, the admin, the commands and the Celery tasks all
come here, so they cannot drift apart. One module per part; callers import from here.
"""

from campaigns.petitions.services.counting import (
    CountCheck,
    SeatDifference,
    petition_counts_apply,
    petition_counts_check,
    petition_counts_check_all,
)
from campaigns.petitions.services.moderation import (
    Restoration,
    signatures_invalidate,
    signatures_restore,
)
from campaigns.petitions.services.pressure import (
    signatures_pressure_catch_up,
    signatures_pressure_record,
)
from campaigns.petitions.services.publishing import petition_close, petition_open
from campaigns.petitions.services.retention import (
    signatures_anonymise,
    signatures_unconfirmed_purge,
    signers_anonymise,
)
from campaigns.petitions.services.signing import (
    CAMPAIGN_EMAIL_WORDING,
    NAME_MAX,
    ConfirmationInvalid,
    PetitionClosed,
    Signing,
    _check,
    _signature_build,
    confirmation_token,
    petition_sign,
    share_code,
    signature_confirm,
    signature_confirmation_send,
)
from campaigns.petitions.services.views import petition_view_record

__all__ = [
    "CAMPAIGN_EMAIL_WORDING",
    "NAME_MAX",
    "ConfirmationInvalid",
    "CountCheck",
    "PetitionClosed",
    "Restoration",
    "SeatDifference",
    "Signing",
    "_check",
    "_signature_build",
    "confirmation_token",
    "petition_close",
    "petition_counts_apply",
    "petition_counts_check",
    "petition_counts_check_all",
    "petition_open",
    "petition_sign",
    "petition_view_record",
    "share_code",
    "signature_confirm",
    "signature_confirmation_send",
    "signatures_anonymise",
    "signatures_invalidate",
    "signatures_pressure_catch_up",
    "signatures_pressure_record",
    "signatures_restore",
    "signatures_unconfirmed_purge",
    "signers_anonymise",
]
