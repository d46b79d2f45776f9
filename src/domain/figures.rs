//! What the district reads about its reports: a period of days in China's time (the district's day starts at
//! 00:00 Beijing time, UTC+8 all year), the places and category it is narrowed to, and the formats of an export.
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::report::FieldErrors;
use super::timestamp::format_time;

/// China Standard Time: UTC+8, no summer time.
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => panic!("UTC+8"),
};

/// The longest period one request may cover, in days (ten years: any real question, never an unbounded scan).
pub const MAX_PERIOD_DAYS: i64 = 3660;

/// Days `from` to `to`, both included, in China's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

impl Period {
    /// Checks `from` and `to` (`YYYY-MM-DD`): real dates, `from` not after `to`, at most [`MAX_PERIOD_DAYS`].
    pub fn parse(from: &str, to: &str) -> Result<Period, FieldErrors> {
        let mut errors = FieldErrors::new();
        let (f, t) = (parse_date(from), parse_date(to));
        for (field, given, parsed) in [("from", from, f), ("to", to, t)] {
            if parsed.is_none() {
                errors.insert(
                    field.into(),
                    format!("日期应为 YYYY-MM-DD (a date as YYYY-MM-DD): {given:?}"),
                );
            }
        }
        if let (Some(from), Some(to)) = (f, t) {
            if from > to {
                errors.insert(
                    "to".into(),
                    "结束日期早于开始日期 (to is before from)".into(),
                );
            } else if (to - from).whole_days() >= MAX_PERIOD_DAYS {
                errors.insert(
                    "to".into(),
                    format!(
                        "一次最多 {MAX_PERIOD_DAYS} 天 (at most {MAX_PERIOD_DAYS} days at once)"
                    ),
                );
            }
            if errors.is_empty() {
                return Ok(Period { from, to });
            }
        }
        Err(errors)
    }

    /// The first instant of the period and the first after it, as the server writes times (UTC, sortable as
    /// text): `received_at >= start AND received_at < end`.
    pub fn bounds(&self) -> (String, String) {
        let start =
            |d: Date| format_time(PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_offset(CHINA));
        let after = self.to.next_day().unwrap_or(self.to);
        (start(self.from), start(after))
    }
}

/// A server time (RFC 3339) as the district reads it: `2026-11-26 16:00` in Beijing time; the text as given when
/// it is no time.
pub fn china_time(rfc3339: &str) -> String {
    match super::timestamp::parse_time(rfc3339) {
        Some(t) => {
            let t: OffsetDateTime = t.to_offset(CHINA);
            format!(
                "{} {:02}:{:02}",
                format_date(t.date()),
                t.hour(),
                t.minute()
            )
        }
        None => rfc3339.to_owned(),
    }
}

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum, utoipa::ToSchema))]
pub enum ExportFormat {
    /// UTF-8 with a byte-order mark, so Excel shows Chinese.
    #[default]
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_is_whole_days_in_beijing_time() {
        let p = Period::parse("2026-11-01", "2026-11-30").unwrap();
        assert_eq!(
            p.bounds(),
            (
                "2026-10-31T16:00:00.000Z".to_owned(),
                "2026-11-30T16:00:00.000Z".to_owned()
            )
        );
        let one_day = Period::parse("2026-02-28", "2026-02-28").unwrap();
        assert_eq!(one_day.bounds().1, "2026-02-28T16:00:00.000Z");
    }

    #[test]
    fn bad_dates_are_named() {
        let e = Period::parse("2026-13-01", "yesterday").unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), ["from", "to"]);
        for bad in ["2026-2-01", "2026-02-30", "20260201", "2026-02-01-01", ""] {
            assert!(Period::parse(bad, "2026-03-01").is_err(), "{bad}");
        }
        let backwards = Period::parse("2026-03-02", "2026-03-01").unwrap_err();
        assert!(backwards["to"].contains("before"));
        assert!(
            Period::parse("2000-01-01", "2026-01-01").is_err(),
            "too long"
        );
        assert!(Period::parse("2016-01-01", "2026-01-01").is_ok());
    }

    #[test]
    fn server_times_read_in_beijing_time() {
        assert_eq!(china_time("2026-11-26T16:30:00.000Z"), "2026-11-27 00:30");
        assert_eq!(china_time("later"), "later");
    }
}
