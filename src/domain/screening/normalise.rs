//! The text screening reads, as opposed to the text the author wrote (which is stored and shown
//! unchanged). Obfuscation that changes how a text is written but not what a reader sees or
//! dials is undone here, so that one set of rules sees through all of it:
//!
//! - Unicode NFKC: fullwidth `＋７７０１`, `＠`, circled and superscript digits, ligatures;
//! - format characters (category Cf: zero-width space/joiners, word joiner, soft hyphen, bidi
//!   controls, BOM) and combining marks (stress marks, variation selectors, keycaps `8⃣`) are
//!   dropped, so `му\u{200b}дак` is one word and `+7\u{200b}701…` one number;
//! - digits of other scripts (Arabic-Indic `٧٠١`, Devanagari, …) become ASCII digits, and a
//!   letter O (Latin or Cyrillic) between digits becomes 0;
//! - spelled-out `@` and `.` (`name [at] mail.kz`, `ivan собака mail.ru`, `scam . kz`) become
//!   the character, but only where a domain follows, so "look at this" stays what it is.
//!
//! Every character of the result remembers the span of the original characters it came from,
//! so findings point at what the author wrote.
use unicode_general_category::{get_general_category, GeneralCategory};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

pub struct Normalised {
    pub chars: Vec<char>,
    /// For each character of `chars`, the original characters it came from: `[start, end)`.
    spans: Vec<(usize, usize)>,
}

impl Normalised {
    /// The span in the original text of `chars[start..end]` (`start < end`).
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.spans[start].0, self.spans[end - 1].1)
    }
}

type Mapped = Vec<(char, usize, usize)>;

pub fn normalise(text: &str) -> Normalised {
    let original: Vec<char> = text.chars().collect();
    let mut out: Mapped = Vec::with_capacity(original.len());
    // NFKC one cluster at a time (a starter and the combining marks after it): composition
    // never crosses a starter, so each output character knows which input it came from.
    let mut i = 0;
    while i < original.len() {
        let mut j = i + 1;
        while j < original.len() && canonical_combining_class(original[j]) != 0 {
            j += 1;
        }
        for c in original[i..j].iter().copied().nfkc() {
            if !invisible(c) {
                out.push((fold_char(c), i, j));
            }
        }
        i = j;
    }
    let out = fold_letter_o(out);
    let out = fold_spelled(out, &DOT_FORMS, '.', followed_by_tld);
    let out = fold_spelled(out, &AT_FORMS, '@', followed_by_domain);
    Normalised {
        chars: out.iter().map(|(c, _, _)| *c).collect(),
        spans: out.iter().map(|(_, s, e)| (*s, *e)).collect(),
    }
}

/// Characters that change nothing a reader sees: format characters (Cf) and marks that only
/// decorate the character before them (Mn, Me).
fn invisible(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Format | GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
    )
}

/// Zeros of the decimal digit blocks people paste (NFKC leaves these alone).
const DIGIT_ZEROS: [u32; 20] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x17E0, 0x1810, 0x1946,
];

fn fold_char(c: char) -> char {
    let code = c as u32;
    if let Some(zero) = DIGIT_ZEROS.iter().find(|z| (**z..**z + 10).contains(&code)) {
        return char::from_digit(code - zero, 10).unwrap_or(c);
    }
    match c {
        // Hyphens and the minus sign read as the hyphen-minus between digits.
        '\u{2010}'..='\u{2012}' | '\u{2212}' => '-',
        other => other,
    }
}

fn is_letter_o(c: char) -> bool {
    matches!(c, 'O' | 'o' | 'О' | 'о' | 'Ο' | 'ο')
}

fn is_digit_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '_')
}

/// A run of letters O with a digit right next to it on one side and a digit (at most one
/// separator away) on the other is zeros: `87O1`, `+7 7OO 555`. Words keep their letters: the
/// run must touch a digit directly.
fn fold_letter_o(mut text: Mapped) -> Mapped {
    let digit = |k: Option<usize>, text: &Mapped| k.is_some_and(|k| text[k].0.is_ascii_digit());
    let mut i = 0;
    while i < text.len() {
        if !is_letter_o(text[i].0) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < text.len() && is_letter_o(text[j].0) {
            j += 1;
        }
        let before = i.checked_sub(1);
        let after = (j < text.len()).then_some(j);
        let near = |k: Option<usize>, step: fn(usize) -> Option<usize>, text: &Mapped| {
            digit(k, text)
                || k.is_some_and(|k| {
                    is_digit_separator(text[k].0)
                        && digit(step(k).filter(|n| *n < text.len()), text)
                })
        };
        let left_touch = digit(before, &text);
        let right_touch = digit(after, &text);
        let left_near = near(before, |k| k.checked_sub(1), &text);
        let right_near = near(after, |k| Some(k + 1), &text);
        let glued_to_letter = |k: Option<usize>| k.is_some_and(|k| text[k].0.is_alphabetic());
        if ((left_touch && right_near) || (right_touch && left_near))
            && !glued_to_letter(before)
            && !glued_to_letter(after)
        {
            for item in &mut text[i..j] {
                item.0 = '0';
            }
        }
        i = j;
    }
    text
}

const AT_FORMS: [&str; 10] = [
    "[at]",
    "(at)",
    "{at}",
    "<at>",
    " at ",
    "[собака]",
    "(собака)",
    " собака ",
    "[эт]",
    "(эт)",
];
const DOT_FORMS: [&str; 8] = [
    "[dot]", "(dot)", "{dot}", "[.]", "(.)", " dot ", " . ", " .",
];

fn local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-".contains(c)
}

/// The word from `k` on, up to white space, without trailing punctuation.
fn word_from(text: &Mapped, k: usize) -> String {
    let word: String = text[k..]
        .iter()
        .map(|(c, _, _)| *c)
        .take_while(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    word.trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

fn followed_by_tld(text: &Mapped, k: usize) -> bool {
    let word = word_from(text, k);
    let label: String = word.chars().take_while(|c| c.is_alphanumeric()).collect();
    super::TLDS.contains(&label.as_str())
}

fn followed_by_domain(text: &Mapped, k: usize) -> bool {
    let word = word_from(text, k);
    let host = word.split('/').next().unwrap_or("");
    super::is_domain(host, true)
}

/// Replaces a spelled-out form by `to` where a local part or host name comes before it (no
/// space) and `follows` holds after it. Spaces around a bracketed form go with it.
fn fold_spelled(
    text: Mapped,
    forms: &[&str],
    to: char,
    follows: fn(&Mapped, usize) -> bool,
) -> Mapped {
    let lower: Vec<char> = text
        .iter()
        .map(|(c, _, _)| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut out: Mapped = Vec::with_capacity(text.len());
    let mut i = 0;
    'scan: while i < text.len() {
        // Only right after a character of a local part or host name.
        if i > 0 && local_part_char(lower[i - 1]) {
            for form in forms {
                let form: Vec<char> = form.chars().collect();
                let mut start = i;
                if form[0] != ' ' {
                    while start < lower.len() && lower[start] == ' ' {
                        start += 1;
                    }
                }
                let end = start + form.len();
                if end > lower.len() || lower[start..end] != form[..] {
                    continue;
                }
                let mut next = end;
                if form[form.len() - 1] != ' ' {
                    while next < lower.len() && lower[next] == ' ' {
                        next += 1;
                    }
                }
                if next < text.len() && follows(&text, next) {
                    out.push((to, text[i].1, text[next - 1].2));
                    i = next;
                    continue 'scan;
                }
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: &Normalised) -> String {
        n.chars.iter().collect()
    }

    #[test]
    fn what_screening_reads() {
        let cases = [
            ("+7\u{200b}701\u{2060}555\u{ad}44\u{200d}33", "+77015554433"),
            ("＋７７０１", "+7701"),
            ("٨٧٠١ ۵۵۵", "8701 555"),
            ("8 7O1 5OO 44 33", "8 701 500 44 33"),
            ("87о1", "8701"),
            ("test＠example.com", "test@example.com"),
            ("name [at] mail.kz", "name@mail.kz"),
            ("name(at)mail.kz", "name@mail.kz"),
            ("ivan собака mail.ru", "ivan@mail.ru"),
            ("name [at] mail [dot] kz", "name@mail.kz"),
            ("scam . kz", "scam.kz"),
            ("му\u{200b}дак", "мудак"),
            ("8\u{fe0f}\u{20e3}7\u{fe0f}\u{20e3}", "87"),
            // Words stay words.
            ("look at this", "look at this"),
            ("Oбоо 10 ООО", "Oбоо 10 ООО"),
            ("Хорошо. Ru", "Хорошо. Ru"),
            ("Заказ №4815", "Заказ No4815"),
        ];
        for (input, expected) in cases {
            assert_eq!(text(&normalise(input)), expected, "{input:?}");
        }
    }

    #[test]
    fn spans_refer_to_the_original_characters() {
        let n = normalise("a\u{200b}b [at] cc.kz ＋");
        // 'b' is the third original character; '@' stands for " [at] " (characters 3..9).
        assert_eq!(text(&n), "ab@cc.kz +");
        assert_eq!(n.original_span(1, 2), (2, 3));
        assert_eq!(n.original_span(2, 3), (3, 9));
        assert_eq!(n.original_span(0, 8), (0, 14));
        assert_eq!(n.original_span(9, 10), (15, 16));
    }
}
