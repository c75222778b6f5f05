"""The seller-dashboard integration in Python: a client generated from openapi/openapi.json by
openapi-python-client, type-checked with mypy --strict, walking buyer, seller and moderator
through reviews, flags, complaints and returns against a `serve --demo` instance.

Every response is parsed into the generated models (an enum value the spec does not list, a
missing required field, a wrong type all raise), and any unexpected status raises."""

import os
from typing import TypeVar

from aftersale_client import AuthenticatedClient, Client
from aftersale_client.api.analytics import get_shop_stats
from aftersale_client.api.auth import login
from aftersale_client.api.complaints import file_complaint, get_complaint
from aftersale_client.api.moderation import decide_flag, list_moderation_queue
from aftersale_client.api.orders import choose_delivery_failure_remedy, get_order, list_orders
from aftersale_client.api.returns import get_return, request_return
from aftersale_client.api.reviews import appeal_review, create_review, flag_review
from aftersale_client.api.webhooks import (
    create_webhook,
    delete_webhook,
    list_webhook_deliveries,
    rotate_webhook_secret,
    test_webhook,
)
from aftersale_client.models import (
    ComplaintAction,
    ComplaintCategory,
    ComplaintStatus,
    ComplaintTarget,
    CreateReviewRequest,
    CreateWebhookRequest,
    DeliveryFailureChoice,
    DeliveryFailureChoiceRequest,
    DeliveryFailureStatus,
    FileComplaintRequest,
    FlagDecision,
    FlagDecisionRequest,
    FlagReason,
    FlagRequest,
    ListModerationQueueKind,
    LoginRequest,
    Problem,
    RequestReturnRequest,
    ReturnLineInput,
    ReturnReason,
    ReturnStatus,
    ReviewAppealRequest,
    ReviewStatus,
    WebhookDeliveryStatus,
    WebhookEventFilter,
)
from aftersale_client.types import Response

BASE = os.environ.get("AFTERSALE_URL", "http://127.0.0.1:8080")
PASSWORD = "demo-password-2026"
T = TypeVar("T")


def must(what: str, r: Response[T | Problem]) -> T:
    """The parsed body of a successful call; raises with the problem otherwise."""
    body = r.parsed
    if body is None or isinstance(body, Problem):
        raise SystemExit(f"{what}: {r.status_code} {r.content!r}")
    print(f"ok  {what} → {r.status_code}")
    return body


def sign_in(email: str) -> AuthenticatedClient:
    anon = Client(base_url=BASE, raise_on_unexpected_status=True)
    auth = must(
        f"login {email}",
        login.sync_detailed(client=anon, body=LoginRequest(email=email, password=PASSWORD)),
    )
    return AuthenticatedClient(base_url=BASE, token=auth.access_token, raise_on_unexpected_status=True)


def main() -> None:
    buyer = sign_in("buyer@demo.kz")
    seller = sign_in("seller@demo.kz")
    moderator = sign_in("moderator@demo.kz")

    orders = must("list orders", list_orders.sync_detailed(client=buyer, limit=20))
    by_external = {o.external_id: o for o in orders.items}
    order = must("read order", get_order.sync_detailed(by_external["DEMO-1001"].id, client=buyer))
    reviewable = next(
        i for i in order.items if i.eligibility and i.eligibility.review and i.eligibility.review.allowed
    )

    review = must(
        "write review",
        create_review.sync_detailed(
            client=buyer,
            body=CreateReviewRequest(
                order_item_id=reviewable.id, rating=5, text="Отличный телефон, рекомендую"
            ),
        ),
    )
    if review.status != ReviewStatus.PUBLISHED:
        raise SystemExit(f"review is {review.status}")

    flag = must(
        "flag review",
        flag_review.sync_detailed(
            review.id,
            client=seller,
            body=FlagRequest(
                reason=FlagReason.NOT_FROM_PURCHASE, comment="Отзыв о другом товаре, не из этого заказа"
            ),
        ),
    )
    queue = must(
        "moderation queue",
        list_moderation_queue.sync_detailed(client=moderator, kind=ListModerationQueueKind.FLAG, limit=50),
    )
    if flag.id not in {i.id for i in queue.items}:
        raise SystemExit("the flag is not in the queue")
    decided = must(
        "decide flag",
        decide_flag.sync_detailed(
            flag.id,
            client=moderator,
            body=FlagDecisionRequest(decision=FlagDecision.UPHOLD, note="Отзыв не относится к заказу"),
        ),
    )
    print(f"    flag is {decided.status}")

    complaint = must(
        "file complaint",
        file_complaint.sync_detailed(
            client=buyer,
            body=FileComplaintRequest(
                order_id=by_external["DEMO-1002"].id,
                target=ComplaintTarget.SELLER,
                category=ComplaintCategory.NOT_AS_DESCRIBED,
                description="Чайник другого цвета, чем на фото в карточке товара",
            ),
        ),
    )
    read = must("read complaint", get_complaint.sync_detailed(complaint.id, client=buyer))
    if read.status != ComplaintStatus.SUBMITTED or ComplaintAction.WITHDRAW not in read.allowed_actions:
        raise SystemExit(f"complaint is {read.status} with {read.allowed_actions}")
    print(f"    {read.number} {read.status.value}")

    appeal = must(
        "appeal removed review",
        appeal_review.sync_detailed(
            review.id,
            client=buyer,
            body=ReviewAppealRequest(text="Отзыв о купленном телефоне, чек приложен"),
        ),
    )
    print(f"    appeal {appeal.id} is {appeal.status}")

    returnable = next(
        i
        for i in order.items
        if i.id != reviewable.id and i.eligibility and i.eligibility.return_ and i.eligibility.return_.allowed
    )
    ret = must(
        "request return",
        request_return.sync_detailed(
            client=buyer,
            body=RequestReturnRequest(
                order_id=order.id,
                reason=ReturnReason.CHANGED_MIND,
                items=[ReturnLineInput(order_item_id=returnable.id, quantity=1)],
            ),
        ),
    )
    again = must("read return", get_return.sync_detailed(ret.id, client=buyer))
    if again.status != ReturnStatus.REQUESTED:
        raise SystemExit(f"return is {again.status}")
    print(f"    {again.number} {again.status.value}")
    choice = must(
        "choose refund for failed delivery",
        choose_delivery_failure_remedy.sync_detailed(
            by_external["DEMO-1006"].id,
            client=buyer,
            body=DeliveryFailureChoiceRequest(choice=DeliveryFailureChoice.REFUND),
        ),
    )
    if choice.status != DeliveryFailureStatus.REFUND_PENDING:
        raise SystemExit(f"failed delivery is {choice.status}")
    print(f"    refund due by {choice.refund_due_by}")
    # The seller registers a webhook (its secret is shown once), pings it, reads the delivery
    # log, rotates the secret and deletes the endpoint.
    hook = must(
        "create webhook",
        create_webhook.sync_detailed(
            client=seller,
            body=CreateWebhookRequest(url="https://93.184.216.34/aftersale", events=[WebhookEventFilter.COMPLAINT_FILED]),
        ),
    )
    if not hook.secret.startswith("whsec_"):
        raise SystemExit(f"webhook secret is {hook.secret}")
    ping = must("ping webhook", test_webhook.sync_detailed(hook.id, client=seller))
    if ping.event_type != "ping" or ping.status != WebhookDeliveryStatus.PENDING:
        raise SystemExit(f"ping is {ping.event_type} {ping.status}")
    log = must("list webhook deliveries", list_webhook_deliveries.sync_detailed(hook.id, client=seller))
    if log.items[0].message_id != ping.message_id:
        raise SystemExit("the ping is not in the delivery log")
    rotated = must("rotate webhook secret", rotate_webhook_secret.sync_detailed(hook.id, client=seller))
    print(f"    old secret signs until {rotated.previous_secret_expires_at}")
    if delete_webhook.sync_detailed(hook.id, client=seller).status_code != 204:
        raise SystemExit("webhook not deleted")
    # The seller's dashboard: the shop's figures over the default 90 days.
    stats = must("read shop stats", get_shop_stats.sync_detailed(hook.shop_id, client=seller))
    replied = stats.reviews.negative.replied_within_24h
    print(f"    {stats.ratings.all_time.count} ratings, negative replied in 24 h: {replied.numerator}/{replied.denominator}")
    print("Python client flow: passed")


if __name__ == "__main__":
    main()
