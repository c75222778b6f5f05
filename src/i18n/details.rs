//! Error details that name reasons, categories or product categories: composed from the
//! catalogue's labels and the policy's numbers, so a 422 says the same words and numbers as
//! `GET /catalogues` (the static texts of `error::ErrorCode` are the fallback).
use super::{join_labels, Labelled, Lang};
use crate::domain::complaints::Category;
use crate::domain::orders::DeliveryType;
use crate::domain::returns::{window_days, Reason};
use crate::policy::Policy;

/// The label of a product category code of `returns.changed_mind_excluded_categories`; the
/// code itself when it has none.
pub fn product_category_label(code: &str, lang: Lang) -> String {
    let labels = match code {
        "medicines" => ["Дәрі-дәрмек", "Лекарства", "Medicines"],
        "underwear" => ["Іш киім", "Нижнее бельё", "Underwear"],
        "hosiery" => [
            "Шұлық-ұйық бұйымдары",
            "Чулочно-носочные изделия",
            "Hosiery",
        ],
        "animals_plants" => [
            "Жануарлар мен өсімдіктер",
            "Животные и растения",
            "Animals and plants",
        ],
        "sold_by_length" => [
            "Метрмен сатылатын тауарлар",
            "Метражные товары",
            "Goods sold by length",
        ],
        "mobile_phones" => ["Ұялы телефондар", "Мобильные телефоны", "Mobile phones"],
        other => return other.to_string(),
    };
    let [kk, ru, en] = labels;
    lang.pick(kk, ru, en).to_string()
}

fn days(n: i64, lang: Lang) -> String {
    match lang {
        Lang::Kk => format!("{n} күн"),
        Lang::Ru => format!("{n} дн."),
        Lang::En => format!("{n} days"),
    }
}

/// "10 days (city) / 45 days (intercity)", or one figure when both are the same.
fn by_delivery(city: i64, intercity: i64, lang: Lang) -> String {
    if city == intercity {
        return days(city, lang);
    }
    let (c, i) = match lang {
        Lang::Kk => ("қала", "қалааралық"),
        Lang::Ru => ("город", "межгород"),
        Lang::En => ("city", "intercity"),
    };
    format!(
        "{} ({c}) / {} ({i})",
        days(city, lang),
        days(intercity, lang)
    )
}

/// The detail of an error code that names reasons or categories, if it is one of them.
pub fn error_detail(code: &str, lang: Lang, p: &Policy) -> Option<String> {
    let quoted = |label: &str| match lang {
        Lang::En => format!("“{label}”"),
        _ => format!("«{label}»"),
    };
    Some(match code {
        "return_window_closed" => {
            let windows: Vec<String> = Reason::ALL
                .iter()
                .map(|&r| {
                    let city = window_days(r, DeliveryType::City, &p.returns);
                    let intercity = window_days(r, DeliveryType::Intercity, &p.returns);
                    format!("{}: {}", r.label(lang), by_delivery(city, intercity, lang))
                })
                .collect();
            let lead = lang.pick(
                "Жеткізілгеннен кейінгі қайтару мерзімі өтті.",
                "Срок возврата с момента получения истёк.",
                "The return window since delivery has passed.",
            );
            format!("{lead} {}.", windows.join("; "))
        }
        "return_reason_excluded" => {
            let excluded: Vec<String> = p
                .returns
                .changed_mind_excluded_categories
                .iter()
                .map(|c| product_category_label(c, lang))
                .collect();
            let excluded: Vec<&str> = excluded.iter().map(String::as_str).collect();
            let list = join_labels(&excluded, lang);
            let reason = quoted(Reason::ChangedMind.label(lang));
            match lang {
                Lang::Kk => {
                    format!("{list} тиісті сапада болса, {reason} себебімен қайтарылмайды.")
                }
                Lang::Ru => {
                    format!("{list} надлежащего качества не возвращаются по причине {reason}.")
                }
                Lang::En => format!("{list} of proper quality cannot be returned for {reason}."),
            }
        }
        "complaint_window_closed" => {
            let c = &p.complaints;
            let damage = quoted(Category::DamagedInDelivery.label(lang));
            let damage_days = by_delivery(
                c.damaged_window_days_city,
                c.damaged_window_days_intercity,
                lang,
            );
            let other = days(c.other_window_days, lang);
            match lang {
                Lang::Kk => format!("{damage} шағымы жеткізілгеннен кейін {damage_days} ішінде, басқа санаттар {other} ішінде беріледі."),
                Lang::Ru => format!("Жалобу {damage} подают в течение {damage_days} после получения, остальные категории — в течение {other}."),
                Lang::En => format!("A {damage} complaint is filed within {damage_days} of delivery, other categories within {other}."),
            }
        }
        // One code answers both a review's and a complaint's late appeal; name both windows
        // when the policy gives them different lengths (otherwise the static text says it).
        "appeal_window_closed"
            if p.reviews.appeal_window_days != p.complaints.appeal_window_days =>
        {
            let reviews = days(p.reviews.appeal_window_days, lang);
            let complaints = days(p.complaints.appeal_window_days, lang);
            match lang {
                Lang::Kk => format!("Апелляция шешімнен кейін беріледі: пікір бойынша {reviews}, шағым бойынша {complaints} ішінде."),
                Lang::Ru => format!("Апелляцию подают после решения: по отзыву — {reviews}, по жалобе — {complaints}."),
                Lang::En => format!("An appeal is filed after the decision: within {reviews} for a review, {complaints} for a complaint."),
            }
        }
        "order_not_delivered" => {
            let damage = quoted(Category::DamagedInDelivery.label(lang));
            match lang {
                Lang::Kk => format!("{damage} шағымы тапсырыс жеткізілгеннен кейін ғана беріледі."),
                Lang::Ru => format!("Жалобу {damage} можно подать только после получения заказа."),
                Lang::En => format!("A {damage} complaint needs a delivered order."),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_name_the_labels_and_the_policys_numbers() {
        let mut p = Policy::default();
        let ru = error_detail("return_window_closed", Lang::Ru, &p).unwrap();
        assert!(
            ru.contains("Повреждение при доставке: 10 дн. (город) / 45 дн. (межгород)"),
            "{ru}"
        );
        assert!(ru.contains("Бракованный товар: 30 дн."), "{ru}");
        p.returns.defective_window_days = 21;
        let en = error_detail("return_window_closed", Lang::En, &p).unwrap();
        assert!(en.contains("Defective item: 21 days"), "{en}");
        let excluded = error_detail("return_reason_excluded", Lang::Ru, &p).unwrap();
        assert!(
            excluded.starts_with("Лекарства, Нижнее бельё"),
            "{excluded}"
        );
        assert!(excluded.contains("«Передумал»"), "{excluded}");
        p.complaints.other_window_days = 60;
        let kk = error_detail("complaint_window_closed", Lang::Kk, &p).unwrap();
        assert!(
            kk.contains("«Жеткізу кезінде бүлінген»") && kk.contains("60 күн"),
            "{kk}"
        );
        assert!(error_detail("order_not_delivered", Lang::En, &p).is_some());
        assert_eq!(error_detail("appeal_window_closed", Lang::En, &p), None);
        p.reviews.appeal_window_days = 7;
        let ru = error_detail("appeal_window_closed", Lang::Ru, &p).unwrap();
        assert!(ru.contains("по отзыву — 7 дн., по жалобе — 14 дн."), "{ru}");
        assert_eq!(error_detail("not_found", Lang::En, &p), None);
        assert_eq!(product_category_label("books", Lang::En), "books");
    }
}
