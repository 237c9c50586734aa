from django.urls import path

from campaigns.letters import api, views

app_name = "letters"

urlpatterns = [
    # Before the campaign's own pages: the path services.CONFIRM_PATH puts in the email.
    path("confirm/<str:token>/", views.letter_confirm_page, name="confirm"),
    # The follow-up's links: services.REPLY_PATH.
    path("reply/<str:token>/<str:answer>/", views.letter_reply_page, name="reply"),
    # The link that lets a writer make a held letter their own: services.REWRITE_PATH.
    path("rewrite/<str:token>/", views.letter_rewrite_page, name="rewrite"),
    path("<slug:slug>/", views.letter_page, name="write"),
    path("<slug:slug>/check-your-email/", views.letter_check_email, name="check-email"),
    path("<slug:slug>/own-words/", views.letter_held, name="held"),
    path("<slug:slug>/sent-from-your-email/", views.letter_sent_myself, name="sent-myself"),
]

api_urlpatterns = [
    path("letter-campaigns/", api.LetterCampaignList.as_view(), name="letter-campaign-list"),
    path("letter-campaigns/confirm/", api.LetterConfirm.as_view(), name="letter-confirm"),
    path(
        "letter-campaigns/<slug:slug>/",
        api.LetterCampaignDetail.as_view(),
        name="letter-campaign-detail",
    ),
    path("letter-campaigns/<slug:slug>/letters/", api.LetterWrite.as_view(), name="letter-write"),
    path("me/letters/", api.MyLetters.as_view(), name="my-letters"),
]
