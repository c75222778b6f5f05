//! A number with its unit in running text ("3 рабочих дней", "1 hour"), so texts can take
//! their numbers from the policy and still read right whatever the number is.
use super::Lang;
use crate::policy::Policy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    BusinessDay,
    Hour,
}

/// The Russian case the phrase stands in: after «в течение», «после» the numeral phrase is
/// genitive ("в течение 21 дня"); after «за», or as a subject, nominative/accusative
/// ("за 2 рабочих дня"). Kazakh and English do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Nominative,
    Genitive,
}

/// Which of the three Russian forms a numeral takes: 1 (21, 101…), 2–4 (22…), the rest.
fn russian_form(n: i64) -> usize {
    let n = n.unsigned_abs();
    match (n % 10, n % 100) {
        (1, h) if h != 11 => 0,
        (2..=4, h) if !(12..=14).contains(&h) => 1,
        _ => 2,
    }
}

/// `n` with its unit, inflected for `lang` (and for `case` in Russian).
pub fn quantity(n: i64, unit: Unit, case: Case, lang: Lang) -> String {
    let word = match lang {
        // Kazakh nouns stay singular after a numeral.
        Lang::Kk => match unit {
            Unit::Day => "күн",
            Unit::BusinessDay => "жұмыс күні",
            Unit::Hour => "сағат",
        },
        Lang::En => match (unit, n == 1) {
            (Unit::Day, true) => "day",
            (Unit::Day, false) => "days",
            (Unit::BusinessDay, true) => "business day",
            (Unit::BusinessDay, false) => "business days",
            (Unit::Hour, true) => "hour",
            (Unit::Hour, false) => "hours",
        },
        Lang::Ru => {
            let form = russian_form(n);
            let forms: [&str; 3] = match (unit, case) {
                (Unit::Day, Case::Nominative) => ["день", "дня", "дней"],
                (Unit::Day, Case::Genitive) => ["дня", "дней", "дней"],
                (Unit::BusinessDay, Case::Nominative) => {
                    ["рабочий день", "рабочих дня", "рабочих дней"]
                }
                (Unit::BusinessDay, Case::Genitive) => {
                    ["рабочего дня", "рабочих дней", "рабочих дней"]
                }
                (Unit::Hour, Case::Nominative) => ["час", "часа", "часов"],
                (Unit::Hour, Case::Genitive) => ["часа", "часов", "часов"],
            };
            forms[form]
        }
    };
    format!("{n} {word}")
}

/// Fills a text's `{section.field}` placeholders with that figure of the policy, so the text
/// says the number the service enforces. The unit comes from the field's name (`…_business_days`,
/// `…_days`, `…_hours`; anything else is a bare number) and the Russian case from a `:gen`
/// suffix (nominative otherwise); `:n` gives the bare number and `:mib` a byte count in MiB. A placeholder that names no
/// figure is left as written, which the tests catch.
pub fn fill(template: &str, lang: Lang, policy: &Policy) -> String {
    let figures = serde_json::to_value(policy).unwrap_or_default();
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            break;
        };
        let placeholder = &after[1..close];
        match figure(placeholder, &figures, lang) {
            Some(text) => out.push_str(&text),
            None => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn figure(placeholder: &str, figures: &serde_json::Value, lang: Lang) -> Option<String> {
    let (path, form) = placeholder.split_once(':').unwrap_or((placeholder, ""));
    let value = figures.pointer(&format!("/{}", path.replace('.', "/")))?;
    if let Some(n) = value.as_i64() {
        let case = if form == "gen" {
            Case::Genitive
        } else {
            Case::Nominative
        };
        if form == "mib" {
            return Some((n / (1024 * 1024)).to_string());
        }
        let unit = if form == "n" {
            None
        } else if path.ends_with("_business_days") {
            Some(Unit::BusinessDay)
        } else if path.ends_with("_days") {
            Some(Unit::Day)
        } else if path.ends_with("_hours") {
            Some(Unit::Hour)
        } else {
            None
        };
        return Some(match unit {
            Some(unit) => quantity(n, unit, case, lang),
            None => n.to_string(),
        });
    }
    value.as_f64().map(|x| format!("{x:.1}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Case::*;
    use Unit::*;

    #[test]
    fn russian_numerals_take_their_forms() {
        let ru = |n, u, c| quantity(n, u, c, Lang::Ru);
        assert_eq!(ru(1, Day, Genitive), "1 дня");
        assert_eq!(ru(3, BusinessDay, Genitive), "3 рабочих дней");
        assert_eq!(ru(21, BusinessDay, Genitive), "21 рабочего дня");
        assert_eq!(ru(14, Day, Genitive), "14 дней");
        assert_eq!(ru(2, BusinessDay, Nominative), "2 рабочих дня");
        assert_eq!(ru(1, Hour, Nominative), "1 час");
        assert_eq!(ru(1, Hour, Genitive), "1 часа");
        assert_eq!(ru(24, Hour, Genitive), "24 часов");
        assert_eq!(ru(11, Day, Nominative), "11 дней");
        assert_eq!(ru(12, Hour, Nominative), "12 часов");
        assert_eq!(ru(22, Hour, Nominative), "22 часа");
        assert_eq!(ru(5, Day, Nominative), "5 дней");
    }

    #[test]
    fn english_and_kazakh() {
        assert_eq!(quantity(1, Hour, Genitive, Lang::En), "1 hour");
        assert_eq!(quantity(48, Hour, Genitive, Lang::En), "48 hours");
        assert_eq!(
            quantity(1, BusinessDay, Nominative, Lang::En),
            "1 business day"
        );
        assert_eq!(quantity(3, BusinessDay, Genitive, Lang::Kk), "3 жұмыс күні");
        assert_eq!(quantity(14, Day, Genitive, Lang::Kk), "14 күн");
    }

    #[test]
    fn placeholders_take_the_policys_figures() {
        let mut p = Policy::default();
        let t = "в течение {returns.seller_decision_business_days:gen}, за {returns.seller_decision_business_days}, {reviews.critical_shop_rating}, {reviews.rating_period_days:n}, {nope.x}";
        assert_eq!(
            fill(t, Lang::Ru, &p),
            "в течение 2 рабочих дней, за 2 рабочих дня, 4.0, 90, {nope.x}"
        );
        p.returns.seller_decision_business_days = 1;
        p.reviews.critical_shop_rating = 3.5;
        assert_eq!(
            fill(t, Lang::Ru, &p),
            "в течение 1 рабочего дня, за 1 рабочий день, 3.5, 90, {nope.x}"
        );
        assert_eq!(
            fill("{returns.refund_due_hours:gen}", Lang::En, &p),
            "1 hour"
        );
    }
}
