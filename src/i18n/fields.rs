//! Field errors' messages in the three languages.
use super::*;

/// A message for one field-level validation code (`validator`'s codes and our own).
pub fn field_message(code: &str, lang: Lang) -> String {
    let text = match code {
        "required" => lang.pick(
            "Міндетті өріс",
            "Обязательное поле",
            "This field is required",
        ),
        "email" => lang.pick(
            "Электрондық пошта мекенжайы дұрыс емес",
            "Некорректный адрес электронной почты",
            "Not a valid e-mail address",
        ),
        "length" => lang.pick(
            "Ұзындығы рұқсат етілген шектен тыс",
            "Длина вне допустимых пределов",
            "Length is outside the allowed range",
        ),
        "blank" => lang.pick(
            "Мәтін бос болмауы керек",
            "Текст не может быть пустым",
            "The text must not be blank",
        ),
        "control_character" => lang.pick(
            "Мәтінде басқару таңбалары бар (NUL және т.б.)",
            "Текст содержит управляющие символы (NUL и др.)",
            "The text holds control characters (NUL and others)",
        ),
        "invisible_character" => lang.pick(
            "Мәтінде көрінбейтін немесе бағыт басқару таңбалары бар (U+200B, U+202E және т.б.)",
            "Текст содержит невидимые символы или символы управления направлением (U+200B, U+202E и др.)",
            "The text holds invisible or text-direction control characters (U+200B, U+202E and others)",
        ),
        "range" => lang.pick(
            "Мәні рұқсат етілген шектен тыс",
            "Значение вне допустимого диапазона",
            "Value is outside the allowed range",
        ),
        "phone" => lang.pick(
            "Телефон нөмірі дұрыс емес (+7 7XX XXX XX XX)",
            "Некорректный номер телефона (+7 7XX XXX XX XX)",
            "Not a valid phone number (+7 7XX XXX XX XX)",
        ),
        "role" => lang.pick(
            "Тек buyer немесе seller рөлі тіркеледі",
            "Регистрация возможна только с ролью buyer или seller",
            "Only the buyer and seller roles can register",
        ),
        "duplicate" => lang.pick(
            "Қайталанатын мән",
            "Повторяющееся значение",
            "Duplicate value",
        ),
        "before_placed_at" => lang.pick(
            "Тапсырыс берілген уақыттан ерте болмауы керек",
            "Не может быть раньше времени оформления заказа",
            "Must not be earlier than placed_at",
        ),
        "missing_for_status" => lang.pick(
            "Бұл мәртебе үшін міндетті",
            "Обязательно для этого статуса",
            "Required for this status",
        ),
        "not_for_target" => lang.pick(
            "Бұл санат таңдалған нысанаға сәйкес емес",
            "Категория не подходит для выбранного адресата жалобы",
            "This category does not apply to the chosen target",
        ),
        "not_later" => lang.pick(
            "Жаңа мерзім қазіргіден кейін болуы керек",
            "Новый срок должен быть позже текущего",
            "The new date must be later than the current one",
        ),
        "unchanged" => lang.pick(
            "Мәні өзгермеді",
            "Значение не изменилось",
            "The value is unchanged",
        ),
        "not_a_moderator" => lang.pick(
            "Модератор тіркелгісі емес",
            "Это не учётная запись модератора",
            "Not a moderator account",
        ),
        "exceeds_order_total" => lang.pick(
            "Сома тапсырыс сомасынан аспауы керек",
            "Сумма не может превышать сумму заказа",
            "The amount may not exceed the order total",
        ),
        "rejected_needs_none" => lang.pick(
            "Қабылданбаған шағымға өтемақы тағайындалмайды (none)",
            "Для отклонённой жалобы возмещение не назначается (none)",
            "A rejected complaint gets the remedy none",
        ),
        "not_allowed" => lang.pick(
            "Бұл өріс бұл жағдайда рұқсат етілмейді",
            "Это поле здесь не допускается",
            "This field is not allowed here",
        ),
        "exceeds_available" => lang.pick(
            "Саны сатып алынғаннан (басқа қайтаруларды шегергенде) көп",
            "Количество больше купленного за вычетом уже возвращаемого",
            "More than was bought minus what is already being returned",
        ),
        "not_in_order" => lang.pick(
            "Бұл тапсырыста мұндай тауар жоқ",
            "В этом заказе нет такой позиции",
            "No such item in this order",
        ),
        "photo_required" => lang.pick(
            "Кемінде бір фото қажет",
            "Нужна хотя бы одна фотография",
            "At least one photo is required",
        ),
        "photo_or_document_required" => lang.pick(
            "Кемінде бір фото немесе құжат (PDF) қажет",
            "Нужна хотя бы одна фотография или документ (PDF)",
            "At least one photo or document (PDF) is required",
        ),
        "in_past" => lang.pick(
            "Уақыт өткен шақта болмауы керек",
            "Время не может быть в прошлом",
            "Must not be in the past",
        ),
        "in_future" => lang.pick(
            "Уақыт болашақта болмауы керек",
            "Время не может быть в будущем",
            "Must not be in the future",
        ),
        "before_approval" => lang.pick(
            "Қайтару мақұлданғанға дейін болмауы керек",
            "Не может быть раньше одобрения возврата",
            "Must not be earlier than the return's approval",
        ),
        "exceeds_paid" => lang.pick(
            "Сома қайтарылатын тауарлар үшін төленгеннен аспауы керек",
            "Сумма не может превышать оплаченное за возвращаемые товары",
            "The amount may not exceed what was paid for the returned items",
        ),
        "invalid" => lang.pick("Мәні дұрыс емес", "Некорректное значение", "Invalid value"),
        "unknown_field" => lang.pick("Белгісіз өріс", "Неизвестное поле", "Unknown field"),
        "url" => lang.pick(
            "URL дұрыс емес",
            "Некорректный URL",
            "Not a valid absolute URL",
        ),
        "https_required" => lang.pick(
            "Тек https:// рұқсат етілген",
            "Разрешён только https://",
            "Only https:// is allowed",
        ),
        "credentials_not_allowed" => lang.pick(
            "URL ішінде логин мен құпиясөзге болмайды",
            "В URL нельзя указывать логин и пароль",
            "A user name or password in the URL is not allowed",
        ),
        "private_target" => lang.pick(
            "Ішкі немесе жеке мекенжайға жіберуге болмайды",
            "Нельзя отправлять на внутренний или частный адрес",
            "Internal, private and metadata addresses are not allowed",
        ),
        "unreachable_target" => lang.pick(
            "Хост тек ашық интернет мекенжайларына шешілуі керек",
            "Хост должен разрешаться только в публичные адреса интернета",
            "The host must resolve to public internet addresses only",
        ),
        "port_not_allowed" => lang.pick(
            "Тек 443 және 80 порттары рұқсат етілген",
            "Разрешены только порты 443 и 80",
            "Only ports 443 and 80 are allowed",
        ),
        "unknown_event" => lang.pick(
            "Белгісіз оқиға түрі",
            "Неизвестный тип события",
            "Unknown event type",
        ),
        _ => lang.pick("Мәні дұрыс емес", "Некорректное значение", "Invalid value"),
    };
    text.to_string()
}
