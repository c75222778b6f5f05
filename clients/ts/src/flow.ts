// The seller-dashboard integration as a developer would write it: a client generated from
// openapi/openapi.json (openapi-typescript types + openapi-fetch), compiled with `tsc --strict`,
// walking buyer, seller and moderator through reviews, flags, complaints and returns against a
// `serve --demo` instance. Any type error fails the compile; any unexpected answer fails the run.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
const baseUrl = process.env.AFTERSALE_URL ?? "http://127.0.0.1:8080";
const password = "demo-password-2026";

/// The data of a successful call, or a thrown error naming the call and the problem.
function must<T>(what: string, r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined) {
    throw new Error(`${what}: ${r.response.status} ${JSON.stringify(r.error)}`);
  }
  console.log(`ok  ${what} → ${r.response.status}`);
  return r.data;
}

async function login(email: string) {
  const anon = createClient<paths>({ baseUrl });
  const auth = must(
    `login ${email}`,
    await anon.POST("/api/v1/auth/login", { body: { email, password } }),
  );
  return createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${auth.access_token}` },
  });
}

/// What a webhook message tells, read the way a receiver reads it: `switch` on `type` narrows
/// the spec's `WebhookEvent` union to that type's `data`, so each branch reads typed fields.
function describe(msg: Schemas["WebhookEvent"]): string {
  switch (msg.type) {
    case "complaint.filed": {
      const category: Schemas["ComplaintCategory"] = msg.data.category;
      // @ts-expect-error a complaint's data has no `rating`: were `data` not narrowed by
      // `type`, this line would compile and the directive would fail the build.
      void msg.data.rating;
      return `complaint ${msg.data.number} (${category}) on ${msg.data.order_id}`;
    }
    case "review.published":
      return `review ${msg.data.review_id} rated ${msg.data.rating}`;
    case "shop.rating_critical":
      return `rating ${msg.data.average_90d ?? "-"} below ${msg.data.threshold}`;
    default:
      return msg.type;
  }
}

function allowed(e: Schemas["ActionEligibility"] | undefined): boolean {
  return e?.allowed === true;
}

async function main(): Promise<void> {
  const buyer = await login("buyer@demo.kz");
  const seller = await login("seller@demo.kz");
  const moderator = await login("moderator@demo.kz");

  // The buyer's orders; DEMO-1001 was delivered two days ago.
  const orders = must("list orders", await buyer.GET("/api/v1/orders", { params: { query: { limit: 20 } } }));
  const delivered = orders.items.find((o) => o.external_id === "DEMO-1001");
  if (!delivered) throw new Error("DEMO-1001 missing from the demo data");
  const order = must(
    "read order",
    await buyer.GET("/api/v1/orders/{id}", { params: { path: { id: delivered.id } } }),
  );
  const reviewable = order.items.find((i) => allowed(i.eligibility?.review));
  if (!reviewable) throw new Error("no item of DEMO-1001 may be reviewed");

  // A review of the delivered item, published at once (clean text).
  const review = must(
    "write review",
    await buyer.POST("/api/v1/reviews", {
      body: { order_item_id: reviewable.id, rating: 4, text: "Телефон хороший, доставили быстро" },
    }),
  );
  // The author always sees the status; others see published reviews without it.
  const status: Schemas["ReviewStatus"] | null | undefined = review.status;
  if (status !== "published") throw new Error(`review is ${status}`);
  console.log(`    review ${review.id} is ${status}`);

  // The seller flags it; the moderator finds the flag in the queue and upholds it.
  const flag = must(
    "flag review",
    await seller.POST("/api/v1/reviews/{id}/flags", {
      params: { path: { id: review.id } },
      body: { reason: "false_information", comment: "Покупатель получил другой цвет, не этот" },
    }),
  );
  const queue = must(
    "moderation queue",
    await moderator.GET("/api/v1/moderation/queue", { params: { query: { kind: "flag", limit: 50 } } }),
  );
  if (!queue.items.some((i) => i.id === flag.id)) throw new Error("the flag is not in the queue");
  const decided = must(
    "decide flag",
    await moderator.POST("/api/v1/moderation/flags/{id}/decision", {
      params: { path: { id: flag.id } },
      body: { decision: "uphold", note: "Отзыв не соответствует заказу" },
    }),
  );
  console.log(`    flag is ${decided.status}`);

  // The seller registers a webhook for new complaints (its secret is shown once).
  const hook = must(
    "create webhook",
    await seller.POST("/api/v1/webhooks", {
      body: { url: "https://93.184.216.34/aftersale", events: ["complaint.filed"] },
    }),
  );
  if (!hook.secret.startsWith("whsec_")) throw new Error("no webhook secret");

  // The buyer files a complaint about the seller of another order and reads it back.
  const kettle = orders.items.find((o) => o.external_id === "DEMO-1002");
  if (!kettle) throw new Error("DEMO-1002 missing from the demo data");
  const complaint = must(
    "file complaint",
    await buyer.POST("/api/v1/complaints", {
      body: {
        order_id: kettle.id,
        target: "seller",
        category: "not_as_described",
        description: "Чайник другого цвета, чем на фото в карточке товара",
      },
    }),
  );
  const read = must(
    "read complaint",
    await buyer.GET("/api/v1/complaints/{id}", { params: { path: { id: complaint.id } } }),
  );
  const complaintStatus: Schemas["ComplaintStatus"] = read.status;
  if (complaintStatus !== "submitted") throw new Error(`complaint is ${complaintStatus}`);
  const actions: Schemas["ComplaintAction"][] = read.allowed_actions;
  console.log(`    ${read.number} ${complaintStatus}; may ${actions.join(", ")}`);

  // The removed review is appealed by its author.
  const appeal = must(
    "appeal removed review",
    await buyer.POST("/api/v1/reviews/{id}/appeal", {
      params: { path: { id: review.id } },
      body: { text: "Цвет совпадает с заказом, прикладываю фото упаковки" },
    }),
  );
  console.log(`    appeal ${appeal.id} is ${appeal.status}`);

  // A return of the other item of DEMO-1001 for a change of mind, read back.
  const returnable = order.items.find((i) => i.id !== reviewable.id && i.eligibility?.return?.allowed);
  if (!returnable) throw new Error("no other item of DEMO-1001 may be returned");
  const ret = must(
    "request return",
    await buyer.POST("/api/v1/returns", {
      body: {
        order_id: order.id,
        reason: "changed_mind",
        items: [{ order_item_id: returnable.id, quantity: 1 }],
      },
    }),
  );
  const again = must(
    "read return",
    await buyer.GET("/api/v1/returns/{id}", { params: { path: { id: ret.id } } }),
  );
  const returnStatus: Schemas["ReturnStatus"] = again.status;
  console.log(`    ${again.number} ${returnStatus}, seller decides by ${again.seller_decide_by}`);
  // DEMO-1006 came back after two failed attempts: the buyer asks for the refund.
  const failed = orders.items.find((o) => o.external_id === "DEMO-1006");
  if (!failed) throw new Error("DEMO-1006 missing from the demo data");
  const choice = must(
    "choose refund for failed delivery",
    await buyer.POST("/api/v1/orders/{id}/delivery-failure/choice", {
      params: { path: { id: failed.id } },
      body: { choice: "refund" },
    }),
  );
  const failure: Schemas["DeliveryFailureStatus"] = choice.status;
  if (failure !== "refund_pending") throw new Error(`failed delivery is ${failure}`);
  console.log(`    refund due by ${choice.refund_due_by}`);
  // The complaint's webhook message, as the delivery log shows the body sent: typed from
  // the spec, narrowed on `type`.
  const sent = must(
    "webhook deliveries after the complaint",
    await seller.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: hook.id } } }),
  );
  const filed = sent.items.find((d) => d.event_type === "complaint.filed");
  if (!filed) throw new Error("no complaint.filed message for the shop's endpoint");
  const message: Schemas["WebhookEvent"] = filed.payload;
  const told = describe(message);
  if (!told.includes(read.number)) throw new Error(`the message tells of another case: ${told}`);
  console.log(`    webhook ${message.type}: ${told}`);
  // The seller pings the endpoint, reads the delivery log, rotates the secret and deletes the
  // endpoint.
  const ping = must(
    "ping webhook",
    await seller.POST("/api/v1/webhooks/{id}/test", { params: { path: { id: hook.id } } }),
  );
  const pending: Schemas["WebhookDeliveryStatus"] = ping.status;
  if (ping.event_type !== "ping" || pending !== "pending") throw new Error(`ping is ${pending}`);
  const log = must(
    "list webhook deliveries",
    await seller.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id: hook.id } } }),
  );
  if (log.items[0]?.message_id !== ping.message_id) throw new Error("ping not in the log");
  const rotated = must(
    "rotate webhook secret",
    await seller.POST("/api/v1/webhooks/{id}/rotate-secret", { params: { path: { id: hook.id } } }),
  );
  console.log(`    old secret signs until ${rotated.previous_secret_expires_at}`);
  const deleted = await seller.DELETE("/api/v1/webhooks/{id}", { params: { path: { id: hook.id } } });
  if (deleted.response.status !== 204) throw new Error("webhook not deleted");
  // The seller's dashboard: the shop's figures over the default 90 days.
  // The endpoint also answers text/csv (Accept): the JSON figures are the object case.
  const stats = must(
    "read shop stats",
    await seller.GET("/api/v1/shops/{shop_id}/stats", { params: { path: { shop_id: hook.shop_id } } }),
  );
  if (typeof stats === "string") throw new Error("shop stats came as CSV without asking");
  const replied: Schemas["RateFigure"] = stats.reviews.negative.replied_within_24h;
  console.log(
    `    ${stats.ratings.all_time.count} ratings, negative replied in 24 h: ${replied.numerator}/${replied.denominator}`,
  );
  console.log("TypeScript client flow: passed");
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
