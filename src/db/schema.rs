// Portable schema shared by both backends (see migrations/postgres and migrations/sqlite).
diesel::table! {
    shops (id) {
        id -> Text,
        name -> Text,
        created_at -> Timestamp,
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

diesel::joinable!(users -> shops (shop_id));
diesel::joinable!(orders -> shops (shop_id));
diesel::joinable!(orders -> users (buyer_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(attachments -> users (uploader_id));
diesel::joinable!(notifications -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    shops,
    users,
    refresh_tokens,
    orders,
    order_items,
    attachments,
    notifications,
);

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        content_type -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}
