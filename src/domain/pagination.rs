//! Keyset pagination: `?limit=` (1–100, default 20) and an opaque `?cursor=`.
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<C> {
    pub limit: u32,
    pub after: Option<C>,
}

/// Why a page request was refused; the handler turns it into a field error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    Limit,
    Cursor,
}

pub fn limit(requested: Option<i64>, default: u32, max: u32) -> Result<u32, PageError> {
    match requested {
        None => Ok(default),
        Some(n) if n >= 1 && n <= i64::from(max) => Ok(n as u32),
        Some(_) => Err(PageError::Limit),
    }
}

/// Lists fetch `limit + 1` rows: the extra one only says that a next page exists. Returns the
/// page and, when there is more, the cursor of its last item.
pub fn split_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    cursor_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        let next = rows.last().map(cursor_of);
        (rows, next)
    } else {
        (rows, None)
    }
}

/// Position after an item ordered by (instant, id) descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    pub at: DateTime<Utc>,
    pub id: String,
}

impl TimeCursor {
    pub fn encode(&self) -> String {
        hex::encode(format!("{}|{}", self.at.timestamp_micros(), self.id))
    }

    pub fn decode(raw: &str) -> Result<Self, PageError> {
        let bytes = hex::decode(raw).map_err(|_| PageError::Cursor)?;
        let text = String::from_utf8(bytes).map_err(|_| PageError::Cursor)?;
        let (micros, id) = text.split_once('|').ok_or(PageError::Cursor)?;
        let micros: i64 = micros.parse().map_err(|_| PageError::Cursor)?;
        let at = DateTime::from_timestamp_micros(micros).ok_or(PageError::Cursor)?;
        if id.is_empty() || id.len() > 64 {
            return Err(PageError::Cursor);
        }
        Ok(TimeCursor {
            at,
            id: id.to_string(),
        })
    }
}

/// Position after an item ordered by a small rank (a star rating), then time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedCursor {
    pub rank: i32,
    pub at: DateTime<Utc>,
    pub id: String,
}

impl RankedCursor {
    pub fn encode(&self) -> String {
        hex::encode(format!(
            "{}|{}|{}",
            self.rank,
            self.at.timestamp_micros(),
            self.id
        ))
    }

    pub fn decode(raw: &str) -> Result<Self, PageError> {
        let bytes = hex::decode(raw).map_err(|_| PageError::Cursor)?;
        let text = String::from_utf8(bytes).map_err(|_| PageError::Cursor)?;
        let (rank, rest) = text.split_once('|').ok_or(PageError::Cursor)?;
        let rank: i32 = rank.parse().map_err(|_| PageError::Cursor)?;
        let TimeCursor { at, id } = TimeCursor::decode(&hex::encode(rest))?;
        Ok(RankedCursor { rank, at, id })
    }
}

/// Position after an item ordered by its (time-ordered UUIDv7) id descending.
pub fn encode_id_cursor(id: &str) -> String {
    hex::encode(id)
}

pub fn decode_id_cursor(raw: &str) -> Result<String, PageError> {
    let bytes = hex::decode(raw).map_err(|_| PageError::Cursor)?;
    let id = String::from_utf8(bytes).map_err(|_| PageError::Cursor)?;
    if id.is_empty() || id.len() > 64 {
        return Err(PageError::Cursor);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(None, 20, 100), Ok(20));
        assert_eq!(limit(Some(1), 20, 100), Ok(1));
        assert_eq!(limit(Some(100), 20, 100), Ok(100));
        assert_eq!(limit(Some(0), 20, 100), Err(PageError::Limit));
        assert_eq!(limit(Some(101), 20, 100), Err(PageError::Limit));
        assert_eq!(limit(Some(-5), 20, 100), Err(PageError::Limit));
    }

    #[test]
    fn pages_carry_a_cursor_only_when_more_exist() {
        assert_eq!(
            split_page(vec![1, 2, 3], 2, |n| n.to_string()),
            (vec![1, 2], Some("2".into()))
        );
        assert_eq!(
            split_page(vec![1, 2], 2, |n| n.to_string()),
            (vec![1, 2], None)
        );
        assert_eq!(
            split_page(Vec::<i32>::new(), 2, |n| n.to_string()),
            (vec![], None)
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = TimeCursor {
            at: "2026-11-21T10:00:00.123456Z".parse().unwrap(),
            id: "0193a0c0-0000-7000-8000-000000000001".into(),
        };
        assert_eq!(TimeCursor::decode(&c.encode()), Ok(c));
        for bad in ["", "zz", "6869", &hex::encode("x|id"), &hex::encode("1|")] {
            assert_eq!(TimeCursor::decode(bad), Err(PageError::Cursor), "{bad}");
        }
        assert_eq!(decode_id_cursor(&encode_id_cursor("abc")), Ok("abc".into()));
        let r = RankedCursor {
            rank: 4,
            at: "2026-11-21T10:00:00Z".parse().unwrap(),
            id: "x1".into(),
        };
        assert_eq!(RankedCursor::decode(&r.encode()), Ok(r));
        assert!(RankedCursor::decode(&hex::encode("a|1|x")).is_err());
        assert!(decode_id_cursor("not-hex").is_err());
    }
}
