from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/review/", views.bulk_review, name="bulk_review"),
    path("bulk/confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("me/", views.my_points, name="me"),
    path("me/vouchers/<int:voucher_id>/qr.svg", views.voucher_qr, name="voucher_qr"),
    path("notices/", views.notice_board, name="notices"),
    path("claims/<int:claim_id>/", views.claim_detail, name="claim"),
    path("ranking/", views.ranking, name="ranking"),
    path("ledger.xlsx", views.ledger_export, name="export"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/revise/", views.catalogue_revise, name="revise"),
    path("redeem/", views.redeem, name="redeem"),
]
