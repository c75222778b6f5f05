//! Issue 28: every way of writing a finding that got past screening, and the ordinary numbers
//! that must stay clean now that dots, slashes and line breaks join digits.
use super::*;
use FindingKind::*;

fn kinds(text: &str) -> Vec<FindingKind> {
    screen(text).into_iter().map(|f| f.kind).collect()
}

#[test]
fn how_a_finding_is_written_does_not_hide_it() {
    let cases: &[(&str, FindingKind)] = &[
        // Invisible characters between digits.
        (
            "звоните +7\u{200b}701\u{200b}555\u{200b}44\u{200b}33",
            Phone,
        ),
        (
            "звоните +7\u{200d}701\u{200d}555\u{200d}44\u{200d}33",
            Phone,
        ),
        (
            "звоните +7\u{2060}701\u{2060}555\u{2060}44\u{2060}33",
            Phone,
        ),
        ("звоните +7\u{ad}701\u{ad}555\u{ad}44\u{ad}33", Phone),
        ("звоните +7\u{a0}701\u{a0}555\u{a0}44\u{a0}33", Phone),
        ("звоните 8\u{feff}7015554433", Phone),
        // Digits of other forms and scripts.
        ("звоните ＋７７０１５５５４４３３", Phone),
        ("звоните ٨٧٠١٥٥٥٤٤٣٣", Phone),
        ("звоните ۸۷۰۱۵۵۵۴۴۳۳", Phone),
        (
            "звоните 8\u{fe0f}\u{20e3}7\u{fe0f}\u{20e3}0\u{fe0f}\u{20e3}15554433",
            Phone,
        ),
        // Separators between digits.
        ("звоните 8.701.555.44.33", Phone),
        ("звоните 8/701/555/44/33", Phone),
        ("звоните 8_701_555_44_33", Phone),
        ("звоните 8 701\n555 44 33", Phone),
        ("звоните 8\r\n701\r\n5554433", Phone),
        ("звоните 8 - 701 - 555 - 44 - 33", Phone),
        // The letter O for zero.
        ("звоните 87O15554433", Phone),
        ("звоните +7 7o1 555 44 33", Phone),
        ("звоните 8 7О1 555 44 33", Phone),
        ("звоните 8 7о1 5OO 44 33", Phone),
        // Cards and IINs.
        ("карта 4111.1111.1111.1111", CardNumber),
        ("карта 4111/1111/1111/1111", CardNumber),
        ("ИИН 900101\u{200b}300017", Iin),
        ("ИИН 9001\u{2060}0130\u{2060}0017", Iin),
        // E-mail addresses and links.
        ("пишите test＠example.com", Email),
        ("пишите test\u{fe6b}example.com", Email),
        ("пишите name [at] mail.kz", Email),
        ("пишите name (at) mail.kz", Email),
        ("пишите name at mail.kz", Email),
        ("пишите name собака mail.kz", Email),
        ("пишите name [at] mail [dot] kz", Email),
        ("дешевле на scam . kz", Link),
        ("дешевле на scam .kz", Link),
        ("дешевле на scam [dot] kz", Link),
        ("дешевле на ｓｃａｍ．ｋｚ", Link),
        ("дешевле на scam\u{200b}.kz", Link),
        // Profanity split by invisible characters or decorated with marks.
        ("продавец му\u{200b}дак", Profanity),
        ("продавец му\u{200d}дак", Profanity),
        ("продавец м\u{ad}у\u{ad}д\u{ad}а\u{ad}к", Profanity),
        ("продавец му\u{301}дак", Profanity),
        ("продавец ｍｕｄａｋ", Profanity),
        ("fu\u{200c}ck this shop", Profanity),
    ];
    for (text, kind) in cases {
        let found = kinds(text);
        assert!(
            found.contains(kind),
            "{text:?}: expected {kind:?}, got {found:?}"
        );
    }
}

#[test]
fn ordinary_numbers_stay_clean() {
    let clean = [
        "Вес 1.5 kg, доставили 2024-11-30",
        "Карта действует до 12/24, всё ок",
        "Размер 120/80/45 см, вес 12.5 кг",
        "Размеры 30.5 x 20.5 x 10 см",
        "Цена 1 299.99 ₸ за 2 шт",
        "Цена 1.299.000 ₸, доставили 30.11.2024",
        "Заказ №4815162342 пришёл 01.12.2024",
        "Заказ 2024-11-30-0001 пришёл",
        "Оценка 5/5\n10 из 10",
        "Версия 2.0.1\n42.5 размер",
        "Доставка с 01.12 по 05.12, время 10.00 - 18.00",
        "Артикул 00_123_45, партия 7/12",
        "Look at this, the box is fine",
        "I am at home. Me too, thanks",
        "Рахмет. Ru тілінде де жаздым",
        "ООО «Ромашка», 10 ООО коробок",
        "Код 2O24 не нужен, 1OO% доволен",
        "Собака рада игрушке, спасибо",
        "emoji 👨\u{200d}👩\u{200d}👧 и ❤\u{fe0f} всё хорошо",
    ];
    for text in clean {
        assert_eq!(screen(text), vec![], "{text:?}");
    }
}

#[test]
fn spans_refer_to_the_text_as_written() {
    let text =
        "Звоните +7\u{200b}701\u{200b}555\u{200b}44\u{200b}33 или name [at] mail.kz, му\u{200b}дак";
    let chars: Vec<char> = text.chars().collect();
    let found = screen(text);
    let pieces: Vec<(FindingKind, String)> = found
        .iter()
        .map(|f| (f.kind, chars[f.start..f.end].iter().collect()))
        .collect();
    assert_eq!(
        pieces,
        vec![
            (
                Phone,
                "+7\u{200b}701\u{200b}555\u{200b}44\u{200b}33".to_string()
            ),
            (Email, "name [at] mail.kz".to_string()),
            (Profanity, "му\u{200b}дак".to_string()),
        ]
    );
}
