//! `Accept: text/csv`: the same figures as the JSON, one `metric,dimension,value` row each.
//! Flattened from the JSON itself, so the two cannot drift apart.
use serde_json::Value;

/// Keys whose members are codes (a star, a reason, a status), not figures of their own.
const BREAKDOWNS: &[&str] = &[
    "distribution",
    "removed_by_reason",
    "by_reason",
    "by_outcome",
    "by_category",
    "by_status",
    "by_kind",
    "by_moderator",
];

/// Fields that name an item of a list (a week, a series' point, a moderator) rather than
/// measure it.
const LABELS: &[&str] = &["week_start", "start", "moderator_id"];

/// `(metric, dimension, value)` rows of a figures document.
pub fn rows(doc: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_rate(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 3
        && ["rate", "numerator", "denominator"]
            .iter()
            .all(|k| map.contains_key(*k))
}

fn walk(v: &Value, path: &str, out: &mut Vec<(String, String, String)>) {
    match v {
        Value::Object(map) if is_rate(map) => {
            for k in ["rate", "numerator", "denominator"] {
                out.push((path.to_string(), k.to_string(), scalar(&map[k])));
            }
        }
        // Money: the amount, its currency as the dimension.
        Value::Object(map) if map.len() == 2 && map.contains_key("currency") => {
            out.push((
                path.to_string(),
                scalar(&map["currency"]),
                scalar(&map["amount"]),
            ));
        }
        Value::Object(map) => {
            for (k, member) in map {
                let metric = join(path, k);
                match member {
                    Value::Object(codes) if BREAKDOWNS.contains(&k.as_str()) => {
                        for (code, n) in codes {
                            match n {
                                Value::Object(_) => walk(n, &format!("{metric}.{code}"), out),
                                _ => out.push((metric.clone(), code.clone(), scalar(n))),
                            }
                        }
                    }
                    _ => walk(member, &metric, out),
                }
            }
        }
        // Per-week (or per-moderator) figures: the item's label names the row.
        Value::Array(items) => {
            for item in items {
                let Value::Object(fields) = item else {
                    continue;
                };
                let Some(label) = LABELS.iter().find_map(|k| fields.get(*k)) else {
                    continue;
                };
                for (k, f) in fields.iter().filter(|(k, _)| !LABELS.contains(&k.as_str())) {
                    match f {
                        Value::Object(_) | Value::Array(_) => {
                            let mut inner = Vec::new();
                            walk(f, &join(path, k), &mut inner);
                            out.extend(inner.into_iter().map(|(m, d, v)| {
                                let d = if d.is_empty() {
                                    scalar(label)
                                } else {
                                    format!("{}:{d}", scalar(label))
                                };
                                (m, d, v)
                            }));
                        }
                        _ => out.push((join(path, k), scalar(label), scalar(f))),
                    }
                }
            }
        }
        other => out.push((path.to_string(), String::new(), scalar(other))),
    }
}

/// The CSV text of the rows, with its header.
pub fn render(doc: &Value) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["metric", "dimension", "value"])?;
    for (metric, dimension, value) in rows(doc) {
        w.write_record([metric, dimension, value])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_figure_becomes_a_row() {
        let doc = json!({
            "shop_id": "s1",
            "ratings": {"all_time": {"average": 4.5, "count": 2, "distribution": {"4": 1, "5": 1}},
                        "weekly": [{"week_start": "2026-11-23", "average": null, "count": 0}]},
            "reviews": {"negative": {"reply_rate": {"rate": 0.5, "numerator": 1, "denominator": 2}},
                        "removed_by_reason": {"spam": 3}},
            "returns": {"refunded_amount": {"amount": 7000, "currency": "KZT"}},
        });
        let rows = rows(&doc);
        let has = |m: &str, d: &str, v: &str| {
            assert!(
                rows.contains(&(m.into(), d.into(), v.into())),
                "{m},{d},{v} missing from {rows:?}"
            )
        };
        has("shop_id", "", "s1");
        has("ratings.all_time.average", "", "4.5");
        has("ratings.all_time.distribution", "5", "1");
        has("ratings.weekly.average", "2026-11-23", "");
        has("ratings.weekly.count", "2026-11-23", "0");
        has("reviews.negative.reply_rate", "rate", "0.5");
        has("reviews.negative.reply_rate", "denominator", "2");
        has("reviews.removed_by_reason", "spam", "3");
        has("returns.refunded_amount", "KZT", "7000");
        assert_eq!(rows.len(), 12);
        let text = render(&doc).unwrap();
        assert!(text.starts_with("metric,dimension,value\n"));
    }
}
