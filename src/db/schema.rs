// Portable schema shared by both backends (see migrations/postgres and migrations/sqlite).
diesel::table! {
    shops (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
        rating_critical -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        full_name -> Text,
        phone -> Nullable<Text>,
        role -> Text,
        shop_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    orders (id) {
        id -> Text,
        external_id -> Text,
        buyer_id -> Text,
        shop_id -> Text,
        placed_at -> Timestamp,
        delivery_type -> Text,
        courier_id -> Nullable<Text>,
        courier_name -> Nullable<Text>,
        promised_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        failed_attempts -> Integer,
        status -> Text,
        total_amount -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_items (id) {
        id -> Text,
        order_id -> Text,
        position -> Integer,
        product_id -> Text,
        title -> Text,
        category -> Nullable<Text>,
        quantity -> Integer,
        unit_price -> BigInt,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        uploader_id -> Text,
        content_type -> Text,
        size -> BigInt,
        sha256 -> Text,
        storage_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        subject_type -> Text,
        subject_id -> Text,
        data -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        order_item_id -> Text,
        order_id -> Text,
        product_id -> Text,
        shop_id -> Text,
        author_id -> Text,
        rating -> Integer,
        shop_rating -> Nullable<Integer>,
        body -> Nullable<Text>,
        attachment_ids -> Text,
        has_media -> Bool,
        status -> Text,
        hidden -> Bool,
        version -> Integer,
        screening -> Text,
        moderation_due_at -> Nullable<Timestamp>,
        removal_reason -> Nullable<Text>,
        removed_by -> Nullable<Text>,
        removed_at -> Nullable<Timestamp>,
        removal_no -> Integer,
        reply_body -> Nullable<Text>,
        reply_author_id -> Nullable<Text>,
        reply_created_at -> Nullable<Timestamp>,
        reply_updated_at -> Nullable<Timestamp>,
        window_until -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_photos (review_id, attachment_id) {
        review_id -> Text,
        attachment_id -> Text,
    }
}

diesel::table! {
    review_versions (id) {
        id -> Text,
        review_id -> Text,
        version -> Integer,
        rating -> Integer,
        shop_rating -> Nullable<Integer>,
        body -> Nullable<Text>,
        attachment_ids -> Text,
        screening -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    review_flags (id) {
        id -> Text,
        review_id -> Text,
        shop_id -> Text,
        seller_id -> Text,
        reason -> Text,
        comment -> Text,
        attachment_ids -> Text,
        snapshot -> Text,
        status -> Text,
        due_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    review_appeals (id) {
        id -> Text,
        review_id -> Text,
        removal_no -> Integer,
        author_id -> Text,
        body -> Text,
        removed_by -> Nullable<Text>,
        status -> Text,
        due_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    moderation_log (id) {
        id -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        before_status -> Nullable<Text>,
        after_status -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rating_summaries (subject_type, subject_id) {
        subject_type -> Text,
        subject_id -> Text,
        c1 -> BigInt,
        c2 -> BigInt,
        c3 -> BigInt,
        c4 -> BigInt,
        c5 -> BigInt,
    }
}

diesel::table! {
    review_list_versions (subject_type, subject_id) {
        subject_type -> Text,
        subject_id -> Text,
        version -> BigInt,
    }
}

diesel::table! {
    rating_days (subject_type, subject_id, day) {
        subject_type -> Text,
        subject_id -> Text,
        day -> Text,
        c1 -> BigInt,
        c2 -> BigInt,
        c3 -> BigInt,
        c4 -> BigInt,
        c5 -> BigInt,
    }
}

diesel::table! {
    complaints (id) {
        id -> Text,
        number -> Text,
        order_id -> Text,
        buyer_id -> Text,
        shop_id -> Text,
        target -> Text,
        category -> Text,
        description -> Text,
        details -> Text,
        status -> Text,
        track -> Text,
        assignee_id -> Nullable<Text>,
        filed_at -> Timestamp,
        acknowledge_by -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        seller_respond_by -> Nullable<Timestamp>,
        seller_responded_at -> Nullable<Timestamp>,
        clock_started_at -> Timestamp,
        paused_at -> Nullable<Timestamp>,
        paused_secs -> BigInt,
        resolve_by -> Timestamp,
        extended -> Bool,
        last_reply_at -> Timestamp,
        escalated_at -> Nullable<Timestamp>,
        resolution -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Text>,
        appeal_until -> Nullable<Timestamp>,
        appealed_at -> Nullable<Timestamp>,
        appealed_resolver -> Nullable<Text>,
        due_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    complaint_events (id) {
        id -> Text,
        complaint_id -> Text,
        kind -> Text,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        audience -> Text,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    complaint_attachments (complaint_id, attachment_id) {
        complaint_id -> Text,
        attachment_id -> Text,
        internal -> Bool,
        added_at -> Timestamp,
    }
}

diesel::table! {
    complaint_breaches (id) {
        id -> Text,
        complaint_id -> Text,
        sla -> Text,
        due_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    case_counters (prefix, year) {
        prefix -> Text,
        year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    returns (id) {
        id -> Text,
        number -> Text,
        order_id -> Text,
        buyer_id -> Text,
        shop_id -> Text,
        reason -> Text,
        description -> Nullable<Text>,
        status -> Text,
        requested_at -> Timestamp,
        window_until -> Timestamp,
        seller_decide_by -> Timestamp,
        escalated_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
        rejection -> Nullable<Text>,
        dispute_until -> Nullable<Timestamp>,
        disputed_at -> Nullable<Timestamp>,
        complaint_id -> Nullable<Text>,
        pickup_at -> Nullable<Timestamp>,
        picked_up_at -> Nullable<Timestamp>,
        refund_due_by -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
        refund_amount -> Nullable<BigInt>,
        refundable_amount -> BigInt,
        cancelled_at -> Nullable<Timestamp>,
        due_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    return_items (return_id, order_item_id) {
        return_id -> Text,
        order_item_id -> Text,
        quantity -> Integer,
        unit_price -> BigInt,
    }
}

diesel::table! {
    return_events (id) {
        id -> Text,
        return_id -> Text,
        kind -> Text,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        data -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    return_attachments (return_id, attachment_id) {
        return_id -> Text,
        attachment_id -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    return_breaches (id) {
        id -> Text,
        return_id -> Text,
        sla -> Text,
        due_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    delivery_failures (order_id) {
        order_id -> Text,
        status -> Text,
        opened_at -> Timestamp,
        chosen_at -> Nullable<Timestamp>,
        chosen_by -> Nullable<Text>,
        refund_due_by -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
        refund_amount -> Nullable<BigInt>,
        due_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    order_messages (id) {
        id -> Text,
        order_id -> Text,
        author_id -> Text,
        author_role -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    order_message_attachments (message_id, attachment_id) {
        message_id -> Text,
        attachment_id -> Text,
    }
}

diesel::table! {
    order_threads (order_id) {
        order_id -> Text,
        shop_id -> Text,
        awaiting_since -> Nullable<Timestamp>,
        last_reply_at -> Nullable<Timestamp>,
        reply_due_by -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        first_buyer_at -> Nullable<Timestamp>,
        first_reply_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    order_breaches (id) {
        id -> Text,
        order_id -> Text,
        shop_id -> Text,
        sla -> Text,
        due_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::joinable!(users -> shops (shop_id));
diesel::joinable!(reviews -> users (author_id));
diesel::joinable!(review_photos -> reviews (review_id));
diesel::joinable!(orders -> shops (shop_id));
diesel::joinable!(orders -> users (buyer_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(service_tokens -> users (user_id));
diesel::joinable!(attachments -> users (uploader_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(complaint_events -> complaints (complaint_id));
diesel::joinable!(complaint_attachments -> complaints (complaint_id));
diesel::joinable!(complaint_attachments -> attachments (attachment_id));
diesel::joinable!(complaint_breaches -> complaints (complaint_id));
diesel::joinable!(returns -> orders (order_id));
diesel::joinable!(return_items -> returns (return_id));
diesel::joinable!(return_items -> order_items (order_item_id));
diesel::joinable!(return_events -> returns (return_id));
diesel::joinable!(return_attachments -> returns (return_id));
diesel::joinable!(return_attachments -> attachments (attachment_id));
diesel::joinable!(return_breaches -> returns (return_id));
diesel::joinable!(order_messages -> orders (order_id));
diesel::joinable!(order_message_attachments -> order_messages (message_id));
diesel::joinable!(order_message_attachments -> attachments (attachment_id));

diesel::table! {
    moderation_claims (subject_type, subject_id) {
        subject_type -> Text,
        subject_id -> Text,
        holder_id -> Text,
        claimed_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    shops,
    moderation_claims,
    users,
    rating_days,
    refresh_tokens,
    service_tokens,
    orders,
    order_items,
    attachments,
    notifications,
    reviews,
    review_photos,
    review_versions,
    review_flags,
    review_appeals,
    moderation_log,
    rating_summaries,
    complaints,
    complaint_events,
    complaint_attachments,
    complaint_breaches,
    case_counters,
    returns,
    return_items,
    return_events,
    return_attachments,
    return_breaches,
    delivery_failures,
    order_messages,
    order_message_attachments,
    order_threads,
    order_breaches,
);

diesel::table! {
    login_failures (email, address) {
        email -> Text,
        address -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    privacy_keys (name) {
        name -> Text,
        secret -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        claim_token -> Nullable<Text>,
        committed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> Text,
        shop_id -> Text,
        url -> Text,
        description -> Nullable<Text>,
        events -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        lease_token -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_messages (id) {
        id -> Text,
        shop_id -> Text,
        event_type -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        endpoint_id -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Text,
        delivery_id -> Text,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        duration_ms -> Integer,
        error -> Nullable<Text>,
        response_snippet -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(webhook_deliveries -> webhook_messages (message_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_endpoints,
    webhook_messages,
    webhook_deliveries,
    webhook_attempts,
);
