//! Screening of review text at submission: profanity and insults (ru, kk, en), personal data
//! (Kazakhstan phone numbers, e-mail addresses, IINs with a valid check digit, card numbers
//! passing Luhn), links and advertising. Pure; word lists are data files under assets/screening.
//!
//! Obfuscation handled: letter case, ё/е, separators inside a word (х.у.й, f-u-c-k), repeated
//! letters (хууууй), Latin look-alikes and digits in Cyrillic words (xyй, 3ae6ал), Latin
//! transliteration (blyat, pizdets), leetspeak in English (sh1t, a$$hole) and masking with
//! `*` (п*здец, f*ck). Russian roots also match behind verbal prefixes (заебал, спиздил).
//! How the text is written does not matter either: the rules read a normalised copy (NFKC,
//! invisible characters dropped, digits of every script, `[at]`, see `normalise`) and the
//! spans they find are mapped back to the text as the author wrote it.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[cfg(test)]
mod bypass_tests;
mod normalise;
mod profanity;

use profanity::{is_profane, lists};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Profanity,
    Phone,
    Email,
    Iin,
    CardNumber,
    Link,
    Advertising,
}

/// One finding: its kind and where it is, in characters (`start` inclusive, `end` exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub kind: FindingKind,
    pub start: usize,
    pub end: usize,
}

const TLDS: [&str; 30] = [
    "kz", "ru", "com", "net", "org", "info", "biz", "me", "io", "shop", "store", "online", "site",
    "co", "uk", "de", "su", "by", "uz", "kg", "app", "pro", "tv", "cc", "xyz", "top", "link", "рф",
    "қаз", "орг",
];

fn is_domain(host: &str, any_tld: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let valid_label = |l: &&str| l.chars().all(|c| c.is_alphanumeric() || c == '-');
    let tld = labels[labels.len() - 1];
    let names = &labels[..labels.len() - 1];
    labels.iter().all(valid_label)
        && names
            .iter()
            .any(|l| l.chars().count() >= 2 && l.chars().any(char::is_alphabetic))
        && if any_tld {
            tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
        } else {
            TLDS.contains(&tld)
        }
}

fn classify_word(word: &str) -> Option<FindingKind> {
    let lower = word.to_lowercase();
    if let Some((local, domain)) = lower.split_once('@') {
        if !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
            && is_domain(domain, true)
        {
            return Some(FindingKind::Email);
        }
        if local.is_empty()
            && domain.chars().count() >= 4
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            // @handle: a contact on a messenger or social network.
            return Some(FindingKind::Link);
        }
    }
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return Some(FindingKind::Link);
    }
    let host = lower.split('/').next().unwrap_or("");
    // Messenger short links have one-letter names (t.me, wa.me).
    const SHORT_HOSTS: [&str; 4] = ["t.me", "wa.me", "vk.me", "vk.cc"];
    if SHORT_HOSTS.contains(&host) || (lower.contains('.') && is_domain(host, false)) {
        return Some(FindingKind::Link);
    }
    if is_profane(word) {
        return Some(FindingKind::Profanity);
    }
    None
}

const TRIM: &[char] = &[
    '.', ',', '!', '?', ':', ';', '"', '\'', '(', ')', '«', '»', '[', ']', '{', '}', '…', '—', '–',
];

/// Words with their character spans, trailing and leading punctuation removed.
fn words(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && !chars[end].is_whitespace() {
            end += 1;
        }
        let (mut s, mut e) = (i, end);
        while s < e && TRIM.contains(&chars[s]) {
            s += 1;
        }
        while e > s && TRIM.contains(&chars[e - 1]) {
            e -= 1;
        }
        if s < e {
            out.push((s, e));
        }
        i = end;
    }
    out
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Kazakhstan individual identification number: YYMMDD, a century/sex digit 1–6, a serial
/// and a check digit (weights 1..11, then 3..11,1,2 when the first sum gives 10).
pub fn is_valid_iin(digits: &[u32]) -> bool {
    if digits.len() != 12 {
        return false;
    }
    let (yy, mm, dd) = (
        digits[0] * 10 + digits[1],
        digits[2] * 10 + digits[3],
        digits[4] * 10 + digits[5],
    );
    let century = match digits[6] {
        1 | 2 => 1800,
        3 | 4 => 1900,
        5 | 6 => 2000,
        _ => return false,
    };
    if chrono::NaiveDate::from_ymd_opt(century + yy as i32, mm, dd).is_none() {
        return false;
    }
    let weighted = |weights: [u32; 11]| {
        digits[..11]
            .iter()
            .zip(weights)
            .map(|(d, w)| d * w)
            .sum::<u32>()
            % 11
    };
    let mut check = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    if check == 10 {
        check = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
        if check == 10 {
            return false;
        }
    }
    check == digits[11]
}

/// Runs of digits with the separators people put in numbers (+7 (701) 123-45-67, 4400 4301 …).
fn number_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (matches!(chars[i], '+' | '(')
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()));
        // A number glued to letters (SM-A546E, 5kg) is not one of these.
        if !starts || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        // Dots, slashes, underscores and line breaks split numbers as well as spaces do
        // (4111.1111.1111.1111, 8/701/555/44/33); a short number between them is still not
        // one of these (dates, sizes, prices stay below ten digits).
        let is_sep = |c: char| {
            matches!(
                c,
                ' ' | '-' | '(' | ')' | '+' | '.' | '/' | '_' | '\n' | '\r'
            )
        };
        let mut end = i;
        while end < chars.len() {
            if chars[end].is_ascii_digit() || (end == i && is_sep(chars[end])) {
                end += 1;
                continue;
            }
            // Up to three separators in a row ("8 (701) 123", "701 - 555"), and only when a
            // digit follows.
            let gap = chars[end..]
                .iter()
                .take(4)
                .take_while(|c| is_sep(**c))
                .count();
            if gap == 0 || gap > 3 || !chars.get(end + gap).is_some_and(|c| c.is_ascii_digit()) {
                break;
            }
            end += gap;
        }
        let mut e = end;
        while e > i && !chars[e - 1].is_ascii_digit() {
            e -= 1;
        }
        let glued = end < chars.len() && chars[end].is_alphabetic();
        if e > i && !glued {
            out.push((i, e));
        }
        i = end.max(i + 1);
    }
    out
}

fn classify_number(run: &[char]) -> Option<FindingKind> {
    let digits: Vec<u32> = run.iter().filter_map(|c| c.to_digit(10)).collect();
    let separated = run.iter().any(|c| !c.is_ascii_digit());
    match digits.len() {
        13..=19 if luhn(&digits) => Some(FindingKind::CardNumber),
        12 if is_valid_iin(&digits) => Some(FindingKind::Iin),
        11 if matches!(digits[0], 7 | 8) && digits[1] == 7 => Some(FindingKind::Phone),
        // A bare ten-digit number is more often an order number; formatted, it is a phone.
        10 if digits[0] == 7 && (separated || run[0] == '+') => Some(FindingKind::Phone),
        _ => None,
    }
}

/// Findings in `text`, with spans in the characters of `text` as written: the rules read the
/// normalised text (see `normalise`), the author and moderators see their own.
pub fn screen(text: &str) -> Vec<Finding> {
    let normalised = normalise::normalise(text);
    let mut findings = screen_normalised(&normalised.chars);
    for f in &mut findings {
        (f.start, f.end) = normalised.original_span(f.start, f.end);
    }
    findings
}

fn screen_normalised(chars: &[char]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (start, end) in number_runs(chars) {
        if let Some(kind) = classify_number(&chars[start..end]) {
            findings.push(Finding { kind, start, end });
        }
    }
    for (start, end) in words(chars) {
        if findings.iter().any(|f| f.start < end && start < f.end) {
            continue;
        }
        let word: String = chars[start..end].iter().collect();
        if let Some(kind) = classify_word(&word) {
            findings.push(Finding { kind, start, end });
        }
    }
    let folded: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect();
    for phrase in &lists().advertising {
        let n = phrase.len();
        let mut i = 0;
        while n > 0 && i + n <= folded.len() {
            if folded[i..i + n] == phrase[..] {
                findings.push(Finding {
                    kind: FindingKind::Advertising,
                    start: i,
                    end: i + n,
                });
                i += n;
            } else {
                i += 1;
            }
        }
    }
    findings.sort_by_key(|f| (f.start, f.end));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingKind::*;

    fn kinds(text: &str) -> Vec<FindingKind> {
        screen(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn positive_examples() {
        let cases: &[(&str, FindingKind)] = &[
            ("Полная хуйня, а не телефон", Profanity),
            ("Это п.и.з.д.е.ц какой-то", Profanity),
            ("xyйня полная", Profanity),
            ("хуууууйня", Profanity),
            ("да пошли вы нахуй", Profanity),
            ("заебали ваши курьеры", Profanity),
            ("курьер сука опоздал", Profanity),
            ("бля, опять сломалось", Profanity),
            ("продавец мудак", Profanity),
            ("ёбаный сервис", Profanity),
            ("пи*дец полный", Profanity),
            ("отъебись уже", Profanity),
            ("спиздили половину комплекта", Profanity),
            ("blyat, again broken", Profanity),
            ("полный pizdets", Profanity),
            ("курьер дебил", Profanity),
            ("fuck this shop", Profanity),
            ("what a piece of shit", Profanity),
            ("f*ck delivery", Profanity),
            ("sh1t quality", Profanity),
            ("the seller is an a$$hole", Profanity),
            ("fuuuuck", Profanity),
            ("сатушы ақымақ екен", Profanity),
            ("курьер жалап", Profanity),
            ("звоните +7 701 123 45 67", Phone),
            ("мой номер 8 (701) 123-45-67", Phone),
            ("пишите 87011234567", Phone),
            ("тел. +77011234567", Phone),
            ("звони 701 123 45 67", Phone),
            ("почта ivan.petrov@mail.ru", Email),
            ("write to shop_kz@gmail.com please", Email),
            ("мой ИИН 900101300017", Iin),
            ("ИИН: 850725400123.", Iin),
            ("карта 4400 4301 2345 6789", CardNumber),
            ("переведите на 5169-4931-0000-0002", CardNumber),
            ("дешевле тут https://shop.example.kz/promo", Link),
            ("заходите на www.cheap-phones.kz", Link),
            ("лучше на cheapstore.kz", Link),
            ("канал t.me/cheapphones", Link),
            ("пишите @cheap_phones_kz", Link),
            ("используйте промокод SALE20", Advertising),
            ("пишите в ватсап, отвечу", Advertising),
            ("Subscribe to my channel", Advertising),
        ];
        for (text, kind) in cases {
            let found = kinds(text);
            assert!(
                found.contains(kind),
                "{text:?}: expected {kind:?}, got {found:?}"
            );
        }
        assert!(cases.len() >= 30);
    }

    #[test]
    fn negative_examples_and_false_positive_traps() {
        let clean = [
            "Заказ №4815162342 пришёл вовремя",
            "Номер заказа 123456789012, всё пришло",
            "Цена 150 000 ₸, доставили 12.03.2026",
            "Оплатил 2 450 тенге за доставку",
            "Курьер приехал в 14:30, всё ок",
            "Доставили 2026-11-21, упаковка целая",
            "Телефон отличный, камера супер, рекомендую",
            "Пришло 3 коробки по 12 штук",
            "Хлеб свежий, небо ясное, погреба сухие",
            "Колебания напряжения не страшны, себестоимость низкая",
            "Сукно качественное, цвет как на фото",
            "Мудрый выбор за свои деньги",
            "Тауар өте жақсы, рахмет!",
            "Жеткізу тез болды, сатушыға рахмет",
            "т.е. всё хорошо, и т.д.",
            "Версия 2.0.1, размер 42.5",
            "Модель SM-A546E, 8/256 ГБ",
            "As good as new, class A condition",
            "Assembly was easy, the manual is clear",
            "Fire retardant spray works well",
            "Read Dickens on it every night",
            "Оценка 5/5, 10 из 10",
            "Гарантия 12 месяцев, чек приложен",
            "Сравнивал с iPhone 15.Pro, этот лучше",
            "Курьер вежливый, позвонил заранее",
            "Качество на уровне, себе взял второй",
            "Педикюрный набор отличный",
            "Хулиганов во дворе нет, коробка целая",
            "Купил 1111 2222 штук болтов",
            "Карта памяти 64 ГБ работает быстро",
            "Ребята из доставки молодцы",
            "Шипучая таблетка растворилась",
        ];
        for text in clean {
            assert_eq!(screen(text), vec![], "{text:?}");
        }
        assert!(clean.len() >= 30);
    }

    #[test]
    fn spans_point_at_the_finding_in_characters() {
        let text = "Привет, пишите 87011234567 или ivan@mail.kz";
        let found = screen(text);
        let chars: Vec<char> = text.chars().collect();
        let pieces: Vec<String> = found
            .iter()
            .map(|f| chars[f.start..f.end].iter().collect())
            .collect();
        assert_eq!(pieces, vec!["87011234567", "ivan@mail.kz"]);
        assert_eq!(found[0].kind, Phone);
        assert_eq!(found[1].kind, Email);
    }

    #[test]
    fn iin_check_digit() {
        let digits = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<_>>();
        assert!(is_valid_iin(&digits("900101300017")));
        assert!(is_valid_iin(&digits("010215501236")));
        assert!(!is_valid_iin(&digits("900101300018")), "wrong check digit");
        assert!(!is_valid_iin(&digits("901301300017")), "month 13");
        assert!(!is_valid_iin(&digits("900101900017")), "century digit 9");
    }
}
