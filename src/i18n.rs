//! Kazakh, Russian and English texts. Machine-readable codes never change with language;
//! only titles, details and notification texts do. Russian is the default.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// Picks the best supported language of an `Accept-Language` header by quality,
    /// falling back to Russian.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Ru;
        };
        let mut best: Option<(f32, usize, Lang)> = None;
        for (index, part) in header.split(',').enumerate() {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "kk" => Lang::Kk,
                "ru" => Lang::Ru,
                "en" => Lang::En,
                _ => continue,
            };
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; among equals, the earlier entry.
            let better = match best {
                None => true,
                Some((q, i, _)) => quality > q || (quality == q && index < i),
            };
            if better {
                best = Some((quality, index, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Lang::Ru)
    }

    pub fn pick(self, kk: &'static str, ru: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Kk => kk,
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

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
        "invalid" => lang.pick("Мәні дұрыс емес", "Некорректное значение", "Invalid value"),
        "unknown_field" => lang.pick("Белгісіз өріс", "Неизвестное поле", "Unknown field"),
        _ => lang.pick("Мәні дұрыс емес", "Некорректное значение", "Invalid value"),
    };
    text.to_string()
}

/// Title and body of an in-app notification, rendered when it is read, in the reader's language.
pub fn notification_text(kind: &str, lang: Lang) -> (&'static str, &'static str) {
    match kind {
        "order_delivered" => (
            lang.pick("Тапсырыс жеткізілді", "Заказ доставлен", "Order delivered"),
            lang.pick(
                "Тапсырысыңыз жеткізілді. Пікір қалдыруға немесе қайтаруды рәсімдеуге болады.",
                "Ваш заказ доставлен. Можно оставить отзыв или оформить возврат.",
                "Your order has been delivered. You can now review it or request a return.",
            ),
        ),
        "order_returned_to_seller" => (
            lang.pick(
                "Тапсырыс сатушыға қайтарылды",
                "Заказ возвращён продавцу",
                "Order returned to the seller",
            ),
            lang.pick(
                "Жеткізудің екі әрекеті сәтсіз болды. Ақшаны қайтаруды немесе қайта жеткізуді таңдаңыз.",
                "Две попытки доставки не удались. Выберите возврат денег или повторную доставку.",
                "Two delivery attempts failed. Choose a refund or a redelivery.",
            ),
        ),
        _ => (
            lang.pick("Хабарландыру", "Уведомление", "Notification"),
            lang.pick(
                "Сізге жаңа хабарландыру бар.",
                "У вас новое уведомление.",
                "You have a new notification.",
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_negotiation() {
        let cases = [
            (None, Lang::Ru),
            (Some(""), Lang::Ru),
            (Some("en"), Lang::En),
            (Some("kk-KZ,ru;q=0.8"), Lang::Kk),
            (Some("de-DE, en;q=0.5, ru;q=0.9"), Lang::Ru),
            (Some("fr"), Lang::Ru),
            (Some("en;q=0, kk;q=0.1"), Lang::Kk),
            (Some("EN-us"), Lang::En),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }
}
