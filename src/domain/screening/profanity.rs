//! Profanity and insults in Russian, Kazakh and English, word by word. The word lists are data
//! files under assets/screening (`=` a whole word, `~` a root that may follow a verbal prefix,
//! otherwise a prefix).
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// The word starts with it.
    Prefix(String),
    /// The whole word.
    Exact(String),
    /// The word starts with it, possibly after a verbal prefix.
    Root(String),
}

pub(super) struct Lists {
    cyrillic: Vec<Entry>,
    latin: Vec<Entry>,
    pub(super) advertising: Vec<Vec<char>>,
}

fn parse_list(text: &str) -> Vec<Entry> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if let Some(w) = l.strip_prefix('=') {
                Entry::Exact(w.to_string())
            } else if let Some(w) = l.strip_prefix('~') {
                Entry::Root(w.to_string())
            } else {
                Entry::Prefix(l.to_string())
            }
        })
        .collect()
}

pub(super) fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut cyrillic = parse_list(include_str!("../../../assets/screening/profanity_ru.txt"));
        cyrillic.extend(parse_list(include_str!(
            "../../../assets/screening/profanity_kk.txt"
        )));
        Lists {
            cyrillic,
            latin: parse_list(include_str!("../../../assets/screening/profanity_en.txt")),
            advertising: include_str!("../../../assets/screening/advertising.txt")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| l.chars().collect())
                .collect(),
        }
    })
}

/// Verbal prefixes before a consonant root (нахуй, спиздил, распиздяй, охуел).
const PREFIXES_CONSONANT: [&str; 14] = [
    "на", "по", "за", "от", "с", "вы", "до", "рас", "раз", "о", "а", "при", "про", "пере",
];
/// Before a vowel root Russian spells the prefix with ъ or ends it in a vowel (заебал,
/// съебал, отъебись); without that rule "себе" would read as с+ебе.
const PREFIXES_VOWEL: [&str; 18] = [
    "за", "вы", "на", "до", "по", "у", "при", "про", "пере", "недо", "съ", "отъ", "подъ", "разъ",
    "объ", "въ", "взъ", "изъ",
];

fn is_cyrillic(c: char) -> bool {
    matches!(
        c,
        'а'..='я' | 'ё' | 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і'
    )
}

fn starts_with_vowel(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| "аеёиоуыэюяәөұүі".contains(c))
}

fn entry_matches(entry: &Entry, word: &str) -> bool {
    match entry {
        Entry::Exact(e) => word == e,
        Entry::Prefix(e) => word.starts_with(e.as_str()),
        Entry::Root(e) => {
            word.starts_with(e.as_str()) || {
                let prefixes: &[&str] = if starts_with_vowel(e) {
                    &PREFIXES_VOWEL
                } else {
                    &PREFIXES_CONSONANT
                };
                prefixes.iter().any(|p| {
                    word.strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with(e.as_str()))
                })
            }
        }
    }
}

/// `*` stands for one letter the writer hid (п*здец, f*ck).
fn masked_matches(entry: &Entry, word: &[char]) -> bool {
    let (stem, exact) = match entry {
        Entry::Exact(e) => (e, true),
        Entry::Prefix(e) | Entry::Root(e) => (e, false),
    };
    let stem: Vec<char> = stem.chars().collect();
    let letters = word.iter().filter(|c| **c != '*').count();
    if stem.len() < 3
        || letters < 2
        || word.len() < stem.len()
        || (exact && word.len() != stem.len())
    {
        return false;
    }
    stem.iter()
        .zip(word.iter())
        .all(|(s, w)| *w == '*' || s == w)
}

fn cap_runs(word: &str, max: usize) -> String {
    let mut out = String::with_capacity(word.len());
    let (mut last, mut run) = (None, 0);
    for c in word.chars() {
        if Some(c) == last {
            run += 1;
        } else {
            last = Some(c);
            run = 1;
        }
        if run <= max {
            out.push(c);
        }
    }
    out
}

fn lookalike_to_cyrillic(c: char) -> char {
    match c {
        'a' | '@' => 'а',
        'b' | '6' => 'б',
        'c' => 'с',
        'e' | '3' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' | '0' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        'u' => 'и',
        '4' => 'ч',
        other => other,
    }
}

fn transliterate(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let pair: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let two = match pair.as_str() {
            "sh" => Some('ш'),
            "ch" => Some('ч'),
            "zh" => Some('ж'),
            "kh" => Some('х'),
            "ts" => Some('ц'),
            "ya" => Some('я'),
            "yo" => Some('е'),
            "yu" => Some('ю'),
            _ => None,
        };
        if let Some(c) = two {
            out.push(c);
            i += 2;
            continue;
        }
        let after_vowel = out.chars().last().is_some_and(|c| "аеиоуыэюя".contains(c));
        out.push(match chars[i] {
            'a' => 'а',
            'b' => 'б',
            'v' => 'в',
            'g' => 'г',
            'd' => 'д',
            'e' => 'е',
            'z' => 'з',
            'i' => 'и',
            'j' => 'й',
            'k' => 'к',
            'l' => 'л',
            'm' => 'м',
            'n' => 'н',
            'o' => 'о',
            'p' => 'п',
            'r' => 'р',
            's' => 'с',
            't' => 'т',
            'u' => 'у',
            'f' => 'ф',
            'h' => 'х',
            'x' => 'х',
            'c' => 'ц',
            'w' => 'в',
            'q' => 'к',
            'y' if after_vowel => 'й',
            'y' => 'ы',
            other => other,
        });
        i += 1;
    }
    out
}

fn leet_to_latin(c: char) -> char {
    match c {
        '0' => 'o',
        '1' | '!' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        other => other,
    }
}

pub(super) fn is_profane(raw: &str) -> bool {
    let lower: String = raw.to_lowercase().replace('ё', "е");
    // Separators inside a word are obfuscation (х.у.й, f-u-c-k).
    let joined: String = lower
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '_' | '|' | '\'' | '"'))
        .collect();
    let l = lists();
    if joined.contains('*') {
        let chars: Vec<char> = joined.chars().collect();
        return l
            .cyrillic
            .iter()
            .chain(l.latin.iter())
            .any(|e| masked_matches(e, &chars));
    }
    let mut cyrillic_forms = Vec::new();
    let mut latin_forms = Vec::new();
    if joined.chars().any(is_cyrillic) {
        let mapped: String = joined.chars().map(lookalike_to_cyrillic).collect();
        if mapped.chars().all(|c| is_cyrillic(c) || c.is_ascii_digit()) {
            cyrillic_forms.push(mapped);
        }
    } else {
        let latin: String = joined.chars().map(leet_to_latin).collect();
        if latin.chars().all(|c| c.is_ascii_lowercase()) {
            cyrillic_forms.push(transliterate(&latin));
            let mapped: String = latin.chars().map(lookalike_to_cyrillic).collect();
            if mapped.chars().all(is_cyrillic) {
                cyrillic_forms.push(mapped);
            }
            latin_forms.push(latin);
        }
    }
    let variants = |forms: Vec<String>| -> Vec<String> {
        forms
            .into_iter()
            .flat_map(|f| [cap_runs(&f, 2), cap_runs(&f, 1), f])
            .collect()
    };
    variants(cyrillic_forms)
        .iter()
        .any(|w| l.cyrillic.iter().any(|e| entry_matches(e, w)))
        || variants(latin_forms)
            .iter()
            .any(|w| l.latin.iter().any(|e| entry_matches(e, w)))
}
