//! The one error type of the API. Every variant has a stable snake_case `code`, an HTTP
//! status and kk/ru/en texts; it renders as RFC 9457 `application/problem+json`.
//! 500s are opaque: the cause is logged with the request id, never sent.
use crate::i18n::{field_message, Lang};
use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `items[2].quantity`.
    pub field: String,
    /// Stable code: `required`, `length`, `range`, `email`, …
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        let code = code.into();
        FieldError {
            field: field.into(),
            message: field_message(&code, Lang::En),
            code,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank`-style, stable per code).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; never translated.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// On `invalid_transition`: the actions open to the caller in the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// On `escalation_not_yet_allowed`: the instant after which the action opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The 401 every authenticated route can answer, for `#[utoipa::path(responses(..))]`.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 401,
    description = "No or invalid token",
    content_type = "application/problem+json"
)]
#[allow(dead_code)] // Documents the response; errors are built from ApiError.
pub struct Unauthorized(Problem);

macro_rules! error_codes {
    ($( $variant:ident => $code:literal, $status:expr,
        [$kk_t:literal, $kk_d:literal], [$ru_t:literal, $ru_d:literal], [$en_t:literal, $en_d:literal]; )*) => {
        /// Every code the API can answer with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }

            pub fn status(self) -> StatusCode {
                match self { $( ErrorCode::$variant => $status, )* }
            }

            /// (title, detail) in the given language.
            pub fn text(self, lang: Lang) -> (&'static str, &'static str) {
                match (self, lang) {
                    $(
                        (ErrorCode::$variant, Lang::Kk) => ($kk_t, $kk_d),
                        (ErrorCode::$variant, Lang::Ru) => ($ru_t, $ru_d),
                        (ErrorCode::$variant, Lang::En) => ($en_t, $en_d),
                    )*
                }
            }
        }
    };
}

error_codes! {
    MalformedRequest => "malformed_request", StatusCode::BAD_REQUEST,
        ["Сұраныс дұрыс емес", "Сұраныс денесін оқу мүмкін емес."],
        ["Некорректный запрос", "Не удалось разобрать тело или параметры запроса."],
        ["Malformed request", "The request body or parameters could not be parsed."];
    Unauthenticated => "unauthenticated", StatusCode::UNAUTHORIZED,
        ["Авторизация қажет", "Authorization: Bearer тақырыбын жіберіңіз."],
        ["Требуется авторизация", "Передайте заголовок Authorization: Bearer."],
        ["Authentication required", "Send an Authorization: Bearer header."];
    InvalidToken => "invalid_token", StatusCode::UNAUTHORIZED,
        ["Токен жарамсыз", "Кіру токені жарамсыз немесе мерзімі өткен."],
        ["Недействительный токен", "Токен доступа недействителен или истёк."],
        ["Invalid token", "The access token is invalid or has expired."];
    InvalidCredentials => "invalid_credentials", StatusCode::UNAUTHORIZED,
        ["Кіру деректері қате", "Электрондық пошта немесе құпиясөз қате."],
        ["Неверные учётные данные", "Неверный адрес почты или пароль."],
        ["Invalid credentials", "The e-mail or password is wrong."];
    InvalidRefreshToken => "invalid_refresh_token", StatusCode::UNAUTHORIZED,
        ["Жаңарту токені жарамсыз", "Қайта кіріңіз."],
        ["Недействительный refresh-токен", "Войдите заново."],
        ["Invalid refresh token", "Please log in again."];
    RefreshTokenReused => "refresh_token_reused", StatusCode::UNAUTHORIZED,
        ["Жаңарту токені қайта қолданылды", "Қауіпсіздік үшін барлық байланысты сессиялар жабылды. Қайта кіріңіз."],
        ["Повторное использование refresh-токена", "В целях безопасности все связанные сессии завершены. Войдите заново."],
        ["Refresh token reused", "For safety every session of this login was revoked. Please log in again."];
    Forbidden => "forbidden", StatusCode::FORBIDDEN,
        ["Рұқсат жоқ", "Сіздің рөліңізге бұл әрекетке рұқсат жоқ."],
        ["Доступ запрещён", "Ваша роль не позволяет выполнить это действие."],
        ["Forbidden", "Your role may not perform this action."];
    NotFound => "not_found", StatusCode::NOT_FOUND,
        ["Табылмады", "Ресурс табылмады."],
        ["Не найдено", "Ресурс не найден."],
        ["Not found", "The resource does not exist."];
    RouteNotFound => "route_not_found", StatusCode::NOT_FOUND,
        ["Жол табылмады", "Мұндай API жолы жоқ. /docs қараңыз."],
        ["Маршрут не найден", "Такого пути API нет. См. /docs."],
        ["Route not found", "There is no such API path. See /docs."];
    MethodNotAllowed => "method_not_allowed", StatusCode::METHOD_NOT_ALLOWED,
        ["Әдіс рұқсат етілмеген", "Бұл жол басқа HTTP әдістерін қабылдайды; Allow тақырыбын қараңыз."],
        ["Метод не поддерживается", "Этот путь принимает другие HTTP-методы; см. заголовок Allow."],
        ["Method not allowed", "This path takes other HTTP methods; see the Allow header."];
    RequestTimeout => "request_timeout", StatusCode::REQUEST_TIMEOUT,
        ["Сұраныс уақыты өтті", "Сұраныс денесі белгіленген уақытта толық келмеді."],
        ["Время запроса истекло", "Тело запроса не поступило полностью за отведённое время."],
        ["Request timeout", "The request body did not arrive in full in time."];
    EmailTaken => "email_taken", StatusCode::CONFLICT,
        ["Пошта бос емес", "Бұл электрондық пошта тіркелген."],
        ["Почта уже занята", "Этот адрес электронной почты уже зарегистрирован."],
        ["E-mail taken", "This e-mail address is already registered."];
    OrderItemInUse => "order_item_in_use", StatusCode::CONFLICT,
        ["Тауар позициясы қолданылуда", "Пікірге, шағымға немесе қайтаруға сілтеме бар позицияны жою мүмкін емес."],
        ["Позиция заказа используется", "Нельзя удалить позицию, на которую ссылаются отзывы, жалобы или возвраты."],
        ["Order item in use", "An order item referenced by a review, complaint or return cannot be removed."];
    IdempotencyInProgress => "idempotency_request_in_progress", StatusCode::CONFLICT,
        ["Сұраныс әлі орындалуда", "Осы Idempotency-Key бар алғашқы сұраныс әлі аяқталған жоқ."],
        ["Запрос ещё выполняется", "Первый запрос с этим Idempotency-Key ещё не завершён."],
        ["Request still in progress", "The first request with this Idempotency-Key has not finished yet."];
    IdempotencyResponseLost => "idempotency_response_lost", StatusCode::CONFLICT,
        ["Жауап жоғалды", "Осы Idempotency-Key бар алғашқы сұраныс орындалды, бірақ оның жауабы іркілістен жоғалды; нәтижені ресурстан оқыңыз."],
        ["Ответ утерян", "Первый запрос с этим Idempotency-Key выполнен, но его ответ утерян при сбое; прочитайте результат из ресурса."],
        ["Response lost", "The first request with this Idempotency-Key was carried out, but its response was lost in a crash; read the result from the resource."];
    PayloadTooLarge => "payload_too_large", StatusCode::PAYLOAD_TOO_LARGE,
        ["Көлемі тым үлкен", "Сұраныс немесе файл рұқсат етілген өлшемнен асады."],
        ["Слишком большой объём", "Запрос или файл превышает допустимый размер."],
        ["Payload too large", "The request or file exceeds the allowed size."];
    UnsupportedMediaType => "unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ["Қолдау көрсетілмейтін түр", "Рұқсат етілген: JSON денесі; файлдар үшін JPEG, PNG, WebP, HEIC, MP4, PDF."],
        ["Неподдерживаемый тип", "Допустимо: тело JSON; для файлов JPEG, PNG, WebP, HEIC, MP4, PDF."],
        ["Unsupported media type", "Accepted: a JSON body; for files JPEG, PNG, WebP, HEIC, MP4, PDF."];
    ValidationFailed => "validation_failed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Тексеру сәтсіз", "Кейбір өрістер дұрыс толтырылмаған; errors тізімін қараңыз."],
        ["Ошибка проверки данных", "Некоторые поля заполнены неверно; см. список errors."],
        ["Validation failed", "Some fields are invalid; see the errors list."];
    IdempotencyKeyReused => "idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY,
        ["Idempotency-Key қайта қолданылды", "Бұл кілт басқа сұраныспен қолданылған."],
        ["Повторное использование Idempotency-Key", "Этот ключ уже использован с другим запросом."],
        ["Idempotency-Key reused", "This key was already used with a different request."];
    NotOrderBuyer => "not_order_buyer", StatusCode::FORBIDDEN,
        ["Сатып алушы емессіз", "Бұл тапсырысты басқа сатып алушы рәсімдеген."],
        ["Вы не покупатель этого заказа", "Этот заказ оформлен другим покупателем."],
        ["Not the order's buyer", "Only the buyer of this order may do this."];
    AppealNeedsAnotherModerator => "appeal_needs_another_moderator", StatusCode::FORBIDDEN,
        ["Басқа модератор қажет", "Апелляцияны алғашқы шешімді қабылдаған модератор емес, басқа модератор қарайды."],
        ["Нужен другой модератор", "Апелляцию рассматривает не тот модератор, который принял обжалуемое решение."],
        ["Another moderator must decide", "An appeal is decided by a moderator other than the one whose decision is appealed."];
    AlreadyReviewed => "already_reviewed", StatusCode::CONFLICT,
        ["Пікір бар", "Бұл тауарға пікір қалдырылған."],
        ["Отзыв уже оставлен", "На этот товар из заказа уже есть отзыв."],
        ["Already reviewed", "This order item has a review already."];
    ReviewNotEditable => "review_not_editable", StatusCode::CONFLICT,
        ["Пікірді өзгертуге болмайды", "Жойылған немесе қабылданбаған пікірді өзгерту мүмкін емес."],
        ["Отзыв нельзя изменить", "Удалённый или отклонённый отзыв изменить нельзя."],
        ["Review not editable", "A deleted, removed or rejected review cannot be edited."];
    ReviewNotPublished => "review_not_published", StatusCode::CONFLICT,
        ["Пікір жарияланбаған", "Әрекет тек жарияланған пікірге қолжетімді."],
        ["Отзыв не опубликован", "Действие доступно только для опубликованного отзыва."],
        ["Review not published", "This action needs a published review."];
    FlagAlreadyOpen => "flag_already_open", StatusCode::CONFLICT,
        ["Шағым ашық", "Бұл пікірге ашық шағым бар."],
        ["Жалоба уже открыта", "На этот отзыв уже есть открытая жалоба."],
        ["Flag already open", "This review already has an open flag."];
    AlreadyAppealed => "already_appealed", StatusCode::CONFLICT,
        ["Апелляция берілген", "Бұл шешімге апелляция бұрын берілген."],
        ["Апелляция уже подана", "Это решение уже обжаловано."],
        ["Already appealed", "This decision has been appealed already."];
    NotAppealable => "not_appealable", StatusCode::CONFLICT,
        ["Апелляцияға болмайды", "Тек жойылған немесе қабылданбаған пікірге апелляция беруге болады."],
        ["Апелляция невозможна", "Обжаловать можно только удалённый или отклонённый отзыв."],
        ["Not appealable", "Only a removed or rejected review can be appealed."];
    ItemNotDelivered => "item_not_delivered", StatusCode::UNPROCESSABLE_ENTITY,
        ["Тауар жеткізілмеген", "Пікірді тауар жеткізілгеннен кейін ғана қалдыруға болады."],
        ["Товар не доставлен", "Отзыв можно оставить только после получения товара."],
        ["Item not delivered", "A review can be written only after delivery."];
    ReviewWindowClosed => "review_window_closed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Пікір мерзімі өтті", "Пікірді жеткізілгеннен кейін {reviews.window_days:gen} ішінде қалдыруға немесе өзгертуге болады."],
        ["Срок для отзыва истёк", "Отзыв можно оставить или изменить в течение {reviews.window_days:gen} после получения."],
        ["Review window closed", "Reviews can be written or edited within {reviews.window_days:gen} of delivery."];
    AppealWindowClosed => "appeal_window_closed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Апелляция мерзімі өтті", "Апелляция шешімнен кейін {complaints.appeal_window_days:gen} ішінде беріледі."],
        ["Срок апелляции истёк", "Апелляцию можно подать в течение {complaints.appeal_window_days:gen} после решения."],
        ["Appeal window closed", "An appeal must be filed within {complaints.appeal_window_days:gen} of the decision."];
    InvalidAttachment => "invalid_attachment", StatusCode::UNPROCESSABLE_ENTITY,
        ["Файл жарамсыз", "Тіркелген файл сіз жүктеген фото болуы керек."],
        ["Недопустимое вложение", "Вложение должно быть загруженной вами фотографией."],
        ["Invalid attachment", "Attachments must be photos you uploaded."];
    InvalidTransition => "invalid_transition", StatusCode::CONFLICT,
        ["Бұл күйде мүмкін емес", "Бұл әрекет істің қазіргі күйінде қолжетімсіз; allowed_actions тізімін қараңыз."],
        ["Недопустимо в текущем статусе", "Это действие недоступно в текущем статусе; см. список allowed_actions."],
        ["Not allowed in this state", "This action is not available in the current state; see allowed_actions."];
    WebhookLimitReached => "webhook_limit_reached", StatusCode::CONFLICT,
        ["Вебхуктар шегіне жетті", "Дүкенде рұқсат етілген ең көп вебхук бар. Біреуін жойыңыз."],
        ["Достигнут лимит вебхуков", "У магазина уже максимальное число вебхуков. Удалите один из них."],
        ["Webhook limit reached", "The shop has as many webhooks as allowed. Delete one first."];
    ComplaintAlreadyOpen => "complaint_already_open", StatusCode::CONFLICT,
        ["Шағым ашық", "Осы тапсырыс бойынша осындай ашық шағым бар."],
        ["Жалоба уже открыта", "По этому заказу уже есть открытая жалоба с тем же адресатом и категорией."],
        ["Complaint already open", "This order already has an open complaint with the same target and category."];
    AlreadyEscalated => "already_escalated", StatusCode::CONFLICT,
        ["Шағым жіберілген", "Бұл шағым модераторларға бұрын жіберілген."],
        ["Жалоба уже передана", "Эта жалоба уже передана модераторам."],
        ["Already escalated", "This complaint has been escalated already."];
    SellerActsFirst => "seller_acts_first", StatusCode::CONFLICT,
        ["Сатушы бірінші жауап береді", "Сатушыға қатысты шағымды алдымен сатушы қарайды: ол жауап бергенде, 48 сағат өткенде немесе сатып алушы жібергенде модераторларға түседі."],
        ["Сначала отвечает продавец", "Жалобу на продавца сначала рассматривает продавец: модераторам она поступает после его ответа, по истечении 48 часов или после передачи покупателем."],
        ["The seller acts first", "A complaint about the seller goes to the seller first: it reaches the moderators on the seller's answer, after 48 hours of silence or on the buyer's escalation."];
    OrderNotDelivered => "order_not_delivered", StatusCode::UNPROCESSABLE_ENTITY,
        ["Тапсырыс жеткізілмеген", "Жеткізу кезіндегі зақым туралы шағым тек жеткізілгеннен кейін беріледі."],
        ["Заказ не доставлен", "Жалобу на повреждение при доставке можно подать только после получения."],
        ["Order not delivered", "A complaint about damage in delivery needs a delivered order."];
    ComplaintWindowClosed => "complaint_window_closed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Шағым мерзімі өтті", "Зақым туралы шағым {complaints.damaged_window_days_city} (қала) / {complaints.damaged_window_days_intercity} (қалааралық), басқалары {complaints.other_window_days} ішінде беріледі."],
        ["Срок подачи жалобы истёк", "Жалобу на повреждение подают в течение {complaints.damaged_window_days_city:gen} (город) / {complaints.damaged_window_days_intercity:gen} (межгород), остальные — в течение {complaints.other_window_days:gen}."],
        ["Complaint window closed", "Damage complaints are filed within {complaints.damaged_window_days_city} (city) / {complaints.damaged_window_days_intercity} (intercity), others within {complaints.other_window_days}."];
    EscalationNotYetAllowed => "escalation_not_yet_allowed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Әлі ерте", "Жария жауапсыз {complaints.escalation_after_business_days} өткеннен кейін жіберуге болады; available_at қараңыз."],
        ["Пока рано", "Передать жалобу можно после {complaints.escalation_after_business_days:gen} без публичного ответа; см. available_at."],
        ["Too early to escalate", "Escalation opens after {complaints.escalation_after_business_days} without a public reply; see available_at."];
    AlreadyDisputed => "already_disputed", StatusCode::CONFLICT,
        ["Дау айтылған", "Бұл бас тартуға дау бұрын айтылған."],
        ["Отказ уже оспорен", "Этот отказ в возврате уже оспорен."],
        ["Already disputed", "This rejection has been disputed already."];
    ReturnUnderDispute => "return_under_dispute", StatusCode::CONFLICT,
        ["Қайтару дауда", "Бұл қайтаруға дау ашық: ол тек дау шағымы арқылы шешіледі."],
        ["Возврат оспаривается", "По этому возврату открыт спор: решение принимается только через жалобу-спор."],
        ["Return under dispute", "This return's rejection is under dispute: it is decided only through the dispute complaint."];
    DisputeWindowClosed => "dispute_window_closed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Дау мерзімі өтті", "Қайтарудан бас тартуға {returns.dispute_window_days:gen} ішінде дау айтуға болады."],
        ["Срок оспаривания истёк", "Отказ в возврате можно оспорить в течение {returns.dispute_window_days:gen}."],
        ["Dispute window closed", "A return rejection can be disputed within {returns.dispute_window_days}."];
    ReturnWindowClosed => "return_window_closed", StatusCode::UNPROCESSABLE_ENTITY,
        ["Қайтару мерзімі өтті", "Жеткізу кезіндегі зақым {returns.damaged_window_days_city} (қала) / {returns.damaged_window_days_intercity} (қалааралық), ақау {returns.defective_window_days}, басқа себептер {returns.changed_mind_window_days} ішінде."],
        ["Срок возврата истёк", "Повреждение при доставке — {returns.damaged_window_days_city} (город) / {returns.damaged_window_days_intercity} (межгород), брак — {returns.defective_window_days}, остальные причины — {returns.changed_mind_window_days} с получения."],
        ["Return window closed", "Damage in delivery: {returns.damaged_window_days_city} (city) / {returns.damaged_window_days_intercity} (intercity); defects: {returns.defective_window_days}; other reasons: {returns.changed_mind_window_days} from delivery."];
    ReturnReasonExcluded => "return_reason_excluded", StatusCode::UNPROCESSABLE_ENTITY,
        ["Бұл себеппен қайтаруға болмайды", "Дәрі-дәрмек, іш киім, шұлық, жануарлар мен өсімдіктер, метрмен сатылатын тауарлар және ұялы телефондар тиісті сапада болса қайтарылмайды."],
        ["Возврат по этой причине невозможен", "Лекарства, нижнее бельё, чулочно-носочные изделия, животные и растения, метражные товары и мобильные телефоны надлежащего качества возврату не подлежат."],
        ["Reason not available for this item", "Medicines, underwear, hosiery, animals and plants, goods sold by length and mobile phones of proper quality cannot be returned for a change of mind."];
    NothingLeftToReturn => "nothing_left_to_return", StatusCode::UNPROCESSABLE_ENTITY,
        ["Қайтаратын ештеңе жоқ", "Бұл тауардың барлық данасы басқа қайтаруларда."],
        ["Нечего возвращать", "Все единицы этого товара уже в других возвратах."],
        ["Nothing left to return", "Every unit of this item is in another return already."];
    AlreadyChosen => "already_chosen", StatusCode::CONFLICT,
        ["Таңдау жасалған", "Сәтсіз жеткізу бойынша таңдау бұрын жасалған."],
        ["Выбор уже сделан", "По неудавшейся доставке выбор уже сделан."],
        ["Already chosen", "A choice has been made for this failed delivery already."];
    UnknownBuyer => "unknown_buyer", StatusCode::UNPROCESSABLE_ENTITY,
        ["Сатып алушы белгісіз", "buyer_id сатып алушы тіркелгісіне сәйкес келмейді."],
        ["Неизвестный покупатель", "buyer_id не соответствует учётной записи покупателя."],
        ["Unknown buyer", "buyer_id does not name a buyer account."];
    UnknownShop => "unknown_shop", StatusCode::UNPROCESSABLE_ENTITY,
        ["Дүкен белгісіз", "shop_id ешбір дүкенге сәйкес келмейді."],
        ["Неизвестный магазин", "shop_id не соответствует ни одному магазину."],
        ["Unknown shop", "shop_id does not name a shop."];
    RateLimited => "rate_limited", StatusCode::TOO_MANY_REQUESTS,
        ["Сұраныстар тым көп", "Сұраныстар шегінен асып кеттіңіз. Retry-After көрсеткен уақыттан кейін қайталаңыз."],
        ["Слишком много запросов", "Превышен лимит запросов. Повторите после времени из Retry-After."],
        ["Too many requests", "The request limit was exceeded. Retry after the Retry-After delay."];
    UploadQuotaExceeded => "upload_quota_exceeded", StatusCode::TOO_MANY_REQUESTS,
        ["Жүктеу шегі таусылды", "Бір тіркелгі 24 сағатта {uploads.files_per_day} файлдан және {uploads.bytes_per_day:mib} МиБ-тан артық жүктей алмайды. Кейінірек қайталаңыз."],
        ["Лимит загрузок исчерпан", "Одна учётная запись может загрузить не более {uploads.files_per_day} файлов и {uploads.bytes_per_day:mib} МиБ за 24 часа. Повторите позже."],
        ["Upload quota exceeded", "One account may upload at most {uploads.files_per_day} files and {uploads.bytes_per_day:mib} MiB in any 24 hours. Retry later."];
    DatabaseUnavailable => "database_unavailable", StatusCode::SERVICE_UNAVAILABLE,
        ["Қызмет уақытша қолжетімсіз", "Дерекқор қолжетімсіз. Кейінірек қайталаңыз."],
        ["Сервис временно недоступен", "База данных недоступна. Повторите попытку позже."],
        ["Service unavailable", "The database is unreachable. Please retry later."];
    Internal => "internal_error", StatusCode::INTERNAL_SERVER_ERROR,
        ["Ішкі қате", "Күтпеген қате. Қолдау қызметіне request_id жіберіңіз."],
        ["Внутренняя ошибка", "Непредвиденная ошибка. Сообщите request_id в поддержку."],
        ["Internal error", "Unexpected error. Quote the request_id to support."];
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{code:?}")]
    Coded { code: ErrorCode },
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    /// A state conflict that tells the caller what they may do instead.
    #[error("invalid transition; allowed: {allowed:?}")]
    InvalidTransition { allowed: Vec<String> },
    /// An action that opens later.
    #[error("{code:?} until {at}")]
    NotYet {
        code: ErrorCode,
        at: chrono::DateTime<chrono::Utc>,
    },
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    /// A documented path called with a method it does not take; the methods it takes.
    #[error("method not allowed; allowed: {0:?}")]
    MethodNotAllowed(Vec<String>),
    /// Seconds until the caller may try again.
    #[error("rate limited for {0} s")]
    RateLimited(u64),
    /// Anything unexpected; the message is logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

impl ErrorCode {
    /// The detail as sent: one that names reasons or categories says them in the catalogue's
    /// labels; every other has the numbers of `policy` in place of its `{section.field}`
    /// placeholders, so a changed window or limit changes the text with it.
    pub fn detail(self, lang: Lang, policy: &crate::policy::Policy) -> String {
        crate::i18n::error_detail(self.as_str(), lang, policy)
            .unwrap_or_else(|| crate::i18n::fill(self.text(lang).1, lang, policy))
    }
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Coded { code } => *code,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            ApiError::NotYet { code, .. } => *code,
            ApiError::DatabaseUnavailable(_) => ErrorCode::DatabaseUnavailable,
            ApiError::RateLimited(_) => ErrorCode::RateLimited,
            ApiError::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn field(field: impl Into<String>, code: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code)])
    }

    pub fn problem(&self, lang: Lang, request_id: Option<String>) -> Problem {
        let code = self.code();
        let (title, _) = code.text(lang);
        // The policy the service runs with (`startup` builds the default one).
        let detail = code.detail(lang, &crate::policy::Policy::default());
        let errors = match self {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|e| FieldError {
                    field: e.field.clone(),
                    code: e.code.clone(),
                    message: field_message(&e.code, lang),
                })
                .collect(),
            _ => Vec::new(),
        };
        Problem {
            type_: format!("https://aftersale.kz/problems/{}", code.as_str()),
            title: title.into(),
            status: code.status().as_u16(),
            detail,
            code: code.as_str().into(),
            errors,
            request_id,
            allowed_actions: match self {
                ApiError::InvalidTransition { allowed } => Some(allowed.clone()),
                _ => None,
            },
            available_at: match self {
                ApiError::NotYet { at, .. } => Some(*at),
                _ => None,
            },
        }
    }

    /// The response in a given language; the error middleware calls this with the
    /// request's `Accept-Language` and request id.
    pub fn render(&self, lang: Lang, request_id: Option<String>) -> HttpResponse {
        if let ApiError::Internal(cause) | ApiError::DatabaseUnavailable(cause) = self {
            tracing::error!(request_id = request_id.as_deref().unwrap_or("-"), %cause, code = self.code().as_str(), "request failed");
        }
        let problem = self.problem(lang, request_id);
        let mut builder = HttpResponse::build(self.code().status());
        builder.content_type("application/problem+json");
        match self {
            ApiError::RateLimited(secs) => {
                builder.insert_header(("Retry-After", secs.to_string()));
            }
            ApiError::DatabaseUnavailable(_) => {
                builder.insert_header(("Retry-After", "5"));
            }
            ApiError::MethodNotAllowed(allowed) => {
                builder.insert_header(("Allow", allowed.join(", ")));
            }
            _ => {}
        }
        if matches!(
            self.code(),
            ErrorCode::Unauthenticated | ErrorCode::InvalidToken
        ) {
            builder.insert_header(("WWW-Authenticate", "Bearer"));
        }
        builder.json(problem)
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::Coded { code }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }
    fn error_response(&self) -> HttpResponse {
        // Re-rendered with the caller's language by the error middleware.
        self.render(Lang::Ru, None)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut list = Vec::new();
        flatten_validation("", &errors, &mut list);
        list.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(list)
    }
}

fn flatten_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), e.code.to_string()));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_a_status_and_three_languages() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(
                s.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{s} is not snake_case"
            );
            assert!(code.status().is_client_error() || code.status().is_server_error());
            let texts: Vec<_> = Lang::ALL.iter().map(|l| code.text(*l)).collect();
            for (title, detail) in &texts {
                assert!(!title.is_empty() && !detail.is_empty(), "{s} lacks a text");
            }
            for lang in Lang::ALL {
                let detail = code.detail(lang, &crate::policy::Policy::default());
                assert!(!detail.contains('{'), "{s} {lang:?}: {detail}");
            }
            assert_ne!(texts[0].0, texts[2].0, "{s}: kk title equals en");
            assert_ne!(texts[1].0, texts[2].0, "{s}: ru title equals en");
        }
    }

    #[test]
    fn details_take_their_numbers_from_the_policy() {
        let mut p = crate::policy::Policy::default();
        let detail = |code: ErrorCode, lang, p: &crate::policy::Policy| code.detail(lang, p);
        assert_eq!(
            detail(ErrorCode::ReviewWindowClosed, Lang::Ru, &p),
            "Отзыв можно оставить или изменить в течение 14 дней после получения."
        );
        p.reviews.window_days = 21;
        assert!(detail(ErrorCode::ReviewWindowClosed, Lang::Ru, &p).contains("в течение 21 дня"));
        assert!(detail(ErrorCode::ReviewWindowClosed, Lang::Kk, &p).contains("21 күн ішінде"));
        p.complaints.escalation_after_business_days = 1;
        let ru = detail(ErrorCode::EscalationNotYetAllowed, Lang::Ru, &p);
        assert!(ru.contains("после 1 рабочего дня без"), "{ru}");
        let en = detail(ErrorCode::EscalationNotYetAllowed, Lang::En, &p);
        assert!(en.contains("after 1 business day without"), "{en}");
        p.returns.dispute_window_days = 3;
        let ru = detail(ErrorCode::DisputeWindowClosed, Lang::Ru, &p);
        assert!(ru.contains("в течение 3 дней"), "{ru}");
        p.complaints.appeal_window_days = 30;
        p.reviews.appeal_window_days = 30;
        let en = detail(ErrorCode::AppealWindowClosed, Lang::En, &p);
        assert!(en.contains("within 30 days of"), "{en}");
        p.uploads.files_per_day = 50;
        p.uploads.bytes_per_day = 64 * 1024 * 1024;
        let en = detail(ErrorCode::UploadQuotaExceeded, Lang::En, &p);
        assert!(en.contains("at most 50 files and 64 MiB"), "{en}");
    }

    #[test]
    fn internal_errors_are_opaque() {
        let p =
            ApiError::internal("password=hunter2 at db.rs:12").problem(Lang::En, Some("r1".into()));
        assert_eq!(p.status, 500);
        let body = serde_json::to_string(&p).unwrap();
        assert!(!body.contains("hunter2"));
        assert!(body.contains("r1"));
    }

    #[test]
    fn field_errors_follow_the_language() {
        let p = ApiError::field("email", "email").problem(Lang::Kk, None);
        assert_eq!(p.errors[0].code, "email");
        assert_eq!(p.errors[0].message, field_message("email", Lang::Kk));
        assert_eq!(p.code, "validation_failed");
    }
}
