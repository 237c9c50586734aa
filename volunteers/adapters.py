from allauth.account.adapter import DefaultAccountAdapter

from volunteers.services import supporter_link_user


class AccountAdapter(DefaultAccountAdapter):
    def confirm_email(self, request, email_address) -> bool:
        """A verified address joins the account to the campaign's record of that person."""
        verified = super().confirm_email(request, email_address)
        if verified and email_address.email == email_address.user.email:
            supporter_link_user(user=email_address.user)
        return verified
