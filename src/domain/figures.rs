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

impl Period {
    /// The period of the same length just before this one (环比 compares with it).
    pub fn previous(&self) -> Period {
        let days = (self.to - self.from).whole_days() + 1;
        let to = self.from.previous_day().unwrap_or(self.from);
        Period {
            from: to - time::Duration::days(days - 1),
            to,
        }
    }

    /// The same days a year before (同比); 29 February becomes the 28th.
    pub fn year_before(&self) -> Period {
        let back = |d: Date| {
            d.replace_year(d.year() - 1)
                .or_else(|_| d.replace_day(28).and_then(|d| d.replace_year(d.year() - 1)))
                .unwrap_or(d)
        };
        Period {
            from: back(self.from),
            to: back(self.to),
        }
    }

    /// The weeks (Monday to Sunday) or calendar months the period falls in, each cut to the period.
    pub fn buckets(&self, every: Every) -> Vec<Period> {
        let mut out = vec![];
        let mut from = self.from;
        loop {
            let end = match every {
                Every::Week => {
                    from + time::Duration::days(6 - from.weekday().number_days_from_monday() as i64)
                }
                Every::Month => {
                    let last = time::util::days_in_month(from.month(), from.year());
                    from.replace_day(last).unwrap_or(from)
                }
            };
            let to = end.min(self.to);
            out.push(Period { from, to });
            match to.next_day() {
                Some(next) if to < self.to => from = next,
                _ => return out,
            }
        }
    }

    /// The first day of the week or month that `d` is in (what the SQL groups by).
    pub fn bucket_start(d: Date, every: Every) -> Date {
        match every {
            Every::Week => d - time::Duration::days(d.weekday().number_days_from_monday() as i64),
            Every::Month => d.replace_day(1).unwrap_or(d),
        }
    }

    pub fn dates(&self) -> PeriodDates {
        PeriodDates {
            from: format_date(self.from),
            to: format_date(self.to),
        }
    }
}

/// A period as the API writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct PeriodDates {
    #[cfg_attr(not(target_arch = "wasm32"), schema(format = Date, example = "2026-11-01"))]
    pub from: String,
    #[cfg_attr(not(target_arch = "wasm32"), schema(format = Date, example = "2026-11-30"))]
    pub to: String,
}

/// How a trend is cut: by week (Monday to Sunday) or by calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Every {
    #[default]
    Week,
    Month,
}

/// One week or month of a trend (`GET /stats/trend`): the reports received in it and what became of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct TrendPoint {
    #[serde(flatten)]
    pub period: PeriodDates,
    pub received: i64,
    pub open: i64,
    pub overdue: i64,
    pub resolved: i64,
    pub rejected: i64,
}

/// `GET /stats/trend`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Trend {
    pub every: Every,
    pub points: Vec<TrendPoint>,
}

/// What the figures are grouped by: each level of the district (网格 → 社区 → 街道), or the category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum GroupBy {
    Grid,
    Community,
    #[default]
    Street,
    Category,
}

/// The figures of one group (or of everything) over one period, for the reports received in it. `open`,
/// `overdue`, `resolved` and `rejected` are those reports' states now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Figures {
    pub received: i64,
    /// Still being worked on (received, accepted or in progress).
    pub open: i64,
    /// Open, and past the deadline they have now (or a called department past its 报到).
    pub overdue: i64,
    pub resolved: i64,
    /// Rejected (a duplicate, not a real problem, not this grid's).
    pub rejected: i64,
    /// 办结率: resolved ÷ (received − rejected); none when nothing counts.
    pub resolution_rate: Option<f64>,
    /// Minutes from receipt to the first answer (any action but a note): median and 90th percentile (nearest rank).
    pub respond_minutes_p50: Option<f64>,
    pub respond_minutes_p90: Option<f64>,
    /// Minutes from receipt to 办结, for the resolved ones.
    pub resolve_minutes_p50: Option<f64>,
    pub resolve_minutes_p90: Option<f64>,
    /// 满意率 of the reporters' verdicts (none until verdicts are given).
    pub satisfaction: Option<f64>,
}

/// One row of `GET /stats`: a grid, 社区, 街道 or category, with the same figures for the previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct StatsRow {
    /// The grid's id, the 社区's or 街道's name, or the category's code.
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub previous: Figures,
}

/// `GET /stats`: the rows, and (an extension) the totals of everything the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Stats {
    pub period: PeriodDates,
    pub previous: PeriodDates,
    pub rows: Vec<StatsRow>,
    pub total: Figures,
    pub total_previous: Figures,
    /// The same days a year before (同比), when any report was received then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year_before: Option<PeriodDates>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_year_before: Option<Figures>,
}

/// The figures of a group, added up one report at a time (the server reads a period's reports once and adds each
/// to its group and to the total).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    received: i64,
    open: i64,
    overdue: i64,
    resolved: i64,
    rejected: i64,
    respond: Vec<f64>,
    resolve: Vec<f64>,
    satisfied: i64,
    unsatisfied: i64,
}

impl Tally {
    /// One report: its status code, whether it is past its deadline now, and its minutes to the first answer and
    /// to 办结 (when it has them).
    pub fn add(&mut self, status: &str, overdue: bool, respond: Option<f64>, resolve: Option<f64>) {
        self.received += 1;
        match status {
            "resolved" => self.resolved += 1,
            "rejected" => self.rejected += 1,
            _ => {
                self.open += 1;
                self.overdue += overdue as i64;
            }
        }
        self.respond.extend(respond);
        if status == "resolved" {
            self.resolve.extend(resolve);
        }
    }

    /// The verdicts a report has had (satisfied, unsatisfied).
    pub fn add_verdicts(&mut self, satisfied: i64, unsatisfied: i64) {
        self.satisfied += satisfied;
        self.unsatisfied += unsatisfied;
    }

    pub fn figures(mut self) -> Figures {
        self.respond.sort_by(f64::total_cmp);
        self.resolve.sort_by(f64::total_cmp);
        let counted = self.received - self.rejected;
        Figures {
            received: self.received,
            open: self.open,
            overdue: self.overdue,
            resolved: self.resolved,
            rejected: self.rejected,
            resolution_rate: (counted > 0).then(|| self.resolved as f64 / counted as f64),
            respond_minutes_p50: nearest_rank(&self.respond, 50),
            respond_minutes_p90: nearest_rank(&self.respond, 90),
            resolve_minutes_p50: nearest_rank(&self.resolve, 50),
            resolve_minutes_p90: nearest_rank(&self.resolve, 90),
            satisfaction: super::verdict::satisfaction(self.satisfied, self.unsatisfied),
        }
    }
}

/// The value of the nearest-rank percentile `p` (in %) of sorted values: the ⌈p·n/100⌉-th.
pub fn nearest_rank(sorted: &[f64], p: usize) -> Option<f64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[(p * n).div_ceil(100) - 1])
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

    fn days(p: &Period) -> (String, String) {
        (format_date(p.from), format_date(p.to))
    }

    #[test]
    fn a_trend_cuts_the_period_into_weeks_from_monday_or_calendar_months() {
        // 2026-11-04 is a Wednesday.
        let p = Period::parse("2026-11-04", "2026-11-20").unwrap();
        let weeks: Vec<_> = p.buckets(Every::Week).iter().map(days).collect();
        let d = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            weeks,
            [
                d("2026-11-04", "2026-11-08"),
                d("2026-11-09", "2026-11-15"),
                d("2026-11-16", "2026-11-20")
            ]
        );
        let p = Period::parse("2026-01-15", "2026-03-31").unwrap();
        let months: Vec<_> = p.buckets(Every::Month).iter().map(days).collect();
        assert_eq!(
            months,
            [
                d("2026-01-15", "2026-01-31"),
                d("2026-02-01", "2026-02-28"),
                d("2026-03-01", "2026-03-31")
            ]
        );
        let one = Period::parse("2026-11-30", "2026-11-30").unwrap();
        assert_eq!(one.buckets(Every::Week).len(), 1);
        for b in p.buckets(Every::Week) {
            assert_eq!(
                Period::bucket_start(b.to, Every::Week),
                Period::bucket_start(b.from, Every::Week)
            );
        }
    }

    #[test]
    fn a_year_before_is_the_same_days() {
        let p = Period::parse("2026-11-01", "2026-11-30").unwrap();
        assert_eq!(
            days(&p.year_before()),
            ("2025-11-01".into(), "2025-11-30".into())
        );
        let leap = Period::parse("2028-02-01", "2028-02-29").unwrap();
        assert_eq!(
            days(&leap.year_before()),
            ("2027-02-01".into(), "2027-02-28".into())
        );
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
    fn the_previous_period_has_the_same_length_and_ends_the_day_before() {
        let p = Period::parse("2026-11-01", "2026-11-30")
            .unwrap()
            .previous();
        assert_eq!(
            p.dates(),
            PeriodDates {
                from: "2026-10-02".into(),
                to: "2026-10-31".into()
            }
        );
        let day = Period::parse("2026-03-01", "2026-03-01")
            .unwrap()
            .previous();
        assert_eq!(day.dates().from, "2026-02-28");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(nearest_rank(&v, 50), Some(5.0));
        assert_eq!(nearest_rank(&v, 90), Some(9.0));
        assert_eq!(nearest_rank(&v[..1], 90), Some(1.0));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn server_times_read_in_beijing_time() {
        assert_eq!(china_time("2026-11-26T16:30:00.000Z"), "2026-11-27 00:30");
        assert_eq!(china_time("later"), "later");
    }
}
