//! 随手拍 reports: what a phone submits, what the server answers, and the validation rules both apply.
use std::collections::BTreeMap;

use super::photo::is_sha256_hex;
use super::timestamp::{format_time, parse_time};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The most photos one report may carry.
pub const MAX_PHOTOS: usize = 3;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// How far in the future `captured_at` may lie (phone clocks drift).
pub const MAX_CLOCK_AHEAD_SECS: i64 = 10 * 60;

/// The body of `PUT /reports/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ReportSubmission {
    /// A category `code` from `GET /categories`.
    #[cfg_attr(not(target_arch = "wasm32"), schema(example = "manhole_cover"))]
    pub category: String,
    #[serde(default)]
    pub urgent: bool,
    /// Required when there is no photo.
    #[serde(default)]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schema(max_length = 2000, example = "人行道井盖缺失，夜里很危险")
    )]
    pub description: String,
    /// WGS 84 degrees from the phone's GPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(minimum = -90, maximum = 90, example = 30.8812))]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(minimum = -180, maximum = 180, example = 104.2519))]
    pub lon: Option<f64>,
    /// The GPS fix's accuracy in metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
    /// Where it is, in words; required without GPS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schema(example = "郫都区犀浦镇百草路 88 号")
    )]
    pub address: Option<String>,
    /// SHA-256s of photos uploaded before with `PUT /photos/{sha256}`.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), schema(schema_with = report_photos_schema))]
    pub photos: Vec<String>,
    /// When the phone took it (RFC 3339); at most 10 minutes ahead of the server's clock.
    #[cfg_attr(not(target_arch = "wasm32"), schema(format = DateTime, example = "2026-11-26T08:00:00.000Z"))]
    pub captured_at: String,
}

#[cfg(not(target_arch = "wasm32"))]
fn report_photos_schema() -> utoipa::openapi::Array {
    super::photo::photo_list_schema(MAX_PHOTOS)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ReportStatus {
    Received,
    Accepted,
    InProgress,
    Resolved,
    Rejected,
}

impl ReportStatus {
    /// The statuses in which work on a report goes on: a task in one of them is open.
    pub const OPEN: [ReportStatus; 3] = [
        ReportStatus::Received,
        ReportStatus::Accepted,
        ReportStatus::InProgress,
    ];

    /// Whether work on it goes on (neither resolved nor rejected). The server's SQL and its partial indexes list
    /// the same statuses (a test in `server::reports` holds them to [`ReportStatus::OPEN`]).
    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Accepted => "accepted",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::Resolved => "resolved",
            ReportStatus::Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Received,
            ReportStatus::Accepted,
            ReportStatus::InProgress,
            ReportStatus::Resolved,
            ReportStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// One step of what became of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: String,
    pub status: ReportStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// Who did it (an extension: the worker's display name, so the reporter sees who responded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The action that made this step (an extension: 备注, 升级 … are named, not only the status they left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<super::task::ActionKind>,
    /// The level after the step, when it changed it (an extension: "升级至 部门联处").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// The department the step concerns (an extension): the one called, or the one whose staff acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The id of the task action that made the step (an extension): a phone whose answer to an action was lost
    /// sees here that the server has it, and does not count it again among those still to come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

impl Report {
    /// Whether it joined an open report of the same hazard when it was received (closed at once into that one's
    /// task, never a task of its own), as opposed to a task a worker rejected as a duplicate.
    pub fn joined_at_receipt(&self) -> bool {
        self.duplicate_of.is_some()
            && self.status == ReportStatus::Rejected
            && self
                .timeline
                .iter()
                .any(|e| e.status == ReportStatus::Rejected && e.kind.is_none())
    }
}

/// One report joined to another, as the worker looking at the group sees it (`GET /reports/{id}/joined`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct JoinedReport {
    pub id: String,
    pub received_at: String,
    pub reporter_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its photos (SHA-256), to fetch from `GET /photos/{sha256}`.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// A page of the reports joined to one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct JoinedPage {
    /// How many joined it in all.
    pub count: u32,
    /// The reports of this page, earliest first.
    pub reports: Vec<JoinedReport>,
    /// The cursor of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl TimelineEntry {
    /// A step at `at` that left `status`, with nothing else said.
    pub fn new(at: impl Into<String>, status: ReportStatus) -> Self {
        Self {
            at: at.into(),
            status,
            note: None,
            photos: vec![],
            by: None,
            kind: None,
            level: None,
            department: None,
            action: None,
        }
    }
}

/// `Report` of PROTOCOL.md: the submitted fields and the server's side of the story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Report {
    pub id: String,
    #[serde(flatten)]
    pub submitted: ReportSubmission,
    pub version: i64,
    pub reporter_name: String,
    pub grid_id: Option<String>,
    pub status: ReportStatus,
    pub level: u8,
    pub received_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// The department called to it (部门联处 · 吹哨报到), its code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    /// While the called department has not answered (报到): by when it must.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledge_deadline: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub points_awarded: i64,
    /// Who reported it (an extension of PROTOCOL.md's `Report`: lets a phone tell its user's reports from the
    /// tasks of their grid).
    #[serde(default)]
    pub reporter_id: String,
    /// Open reports of the same category within 50 m received in the 7 days before this one (an extension, for
    /// the grid worker deciding whether it is a duplicate).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_duplicates: Vec<String>,
    /// For a report rejected as a duplicate, or joined at receipt to an open report of the same hazard: the report
    /// it duplicates, whose progress its reporter follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// How many other reports were joined to this one, or rejected as its duplicates (an extension: "另有 37 人上报";
    /// the reports themselves are paged by `GET /reports/{id}/joined`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub joined: u32,
    /// A recurring problem (重大顽疾): with it, three or more reports of its category within 50 m in 30 days.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hotspot: bool,
    /// The reporters' verdicts over all its resolutions (none given: left out).
    #[serde(
        default,
        skip_serializing_if = "super::verdict::VerdictCounts::is_empty"
    )]
    pub verdicts: super::verdict::VerdictCounts,
    /// The viewer's own verdict on its current resolution (for its reporter, and a duplicate's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_verdict: Option<super::verdict::Verdict>,
    /// Everyone's verdict on the current resolution, by user id: read with the report, turned into `my_verdict`
    /// for whoever sees it, never sent.
    #[serde(skip)]
    #[cfg_attr(not(target_arch = "wasm32"), schema(ignore))]
    pub round_verdicts: std::collections::BTreeMap<String, super::verdict::Verdict>,
    /// The rider's concern this task was made from (an extension: a concern forwarded to a grid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concern_id: Option<String>,
}

/// Per-field problems, keyed by field name, as `details` of a `422 invalid_input`.
pub type FieldErrors = BTreeMap<String, String>;

impl ReportSubmission {
    /// Checks every rule of PROTOCOL.md but the category's existence (the caller knows the catalog).
    pub fn validate(
        &self,
        now: OffsetDateTime,
        known_category: impl Fn(&str) -> bool,
    ) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_insert_with(|| message.to_owned());
        };
        if !known_category(&self.category) {
            fail("category", "unknown category");
        }
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => {
                if !(lat.is_finite() && (-90.0..=90.0).contains(&lat)) {
                    fail("lat", "latitude must be between -90 and 90");
                }
                if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
                    fail("lon", "longitude must be between -180 and 180");
                }
            }
            (None, None) => {
                if self.address.as_deref().is_none_or(|a| a.trim().is_empty()) {
                    fail("lat", "a location or an address is required");
                }
            }
            (Some(_), None) => fail("lon", "longitude is missing"),
            (None, Some(_)) => fail("lat", "latitude is missing"),
        }
        if let Some(acc) = self.accuracy_m {
            if !(acc.is_finite() && acc >= 0.0) {
                fail(
                    "accuracy_m",
                    "accuracy must be a non-negative number of metres",
                );
            }
        }
        if self
            .address
            .as_deref()
            .is_some_and(|a| a.chars().count() > 500)
        {
            fail("address", "address over 500 characters");
        }
        if self.photos.is_empty() && self.description.trim().is_empty() {
            fail("description", "a report needs a photo or a description");
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            fail("description", "description over 2,000 characters");
        }
        if self.photos.len() > MAX_PHOTOS {
            fail("photos", "at most 3 photos");
        }
        if self.photos.iter().any(|p| !is_sha256_hex(p)) {
            fail("photos", "photos are lowercase hex SHA-256 hashes");
        }
        let mut unique = self.photos.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != self.photos.len() {
            fail("photos", "a photo is listed twice");
        }
        match parse_time(&self.captured_at) {
            None => fail("captured_at", "not an RFC 3339 time"),
            Some(t) if (t - now).whole_seconds() > MAX_CLOCK_AHEAD_SECS => {
                fail("captured_at", "more than 10 minutes in the future")
            }
            Some(_) => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The content in a canonical form (times normalised to UTC), so a replay is recognised whatever the
    /// formatting of its JSON.
    pub fn canonical(&self) -> ReportSubmission {
        let mut c = self.clone();
        if let Some(t) = parse_time(&self.captured_at) {
            c.captured_at = format_time(t);
        }
        c.address = c.address.filter(|a| !a.is_empty());
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        parse_time("2026-11-26T08:00:00Z").unwrap()
    }

    fn valid() -> ReportSubmission {
        ReportSubmission {
            category: "manhole_cover".into(),
            urgent: true,
            description: "井盖缺失".into(),
            lat: Some(30.88),
            lon: Some(104.25),
            accuracy_m: Some(12.0),
            address: None,
            photos: vec!["a".repeat(64)],
            captured_at: "2026-11-26T07:59:00Z".into(),
        }
    }

    fn errors(r: &ReportSubmission) -> FieldErrors {
        r.validate(now(), |c| c == "manhole_cover").unwrap_err()
    }

    #[test]
    fn a_complete_report_is_valid() {
        assert_eq!(valid().validate(now(), |c| c == "manhole_cover"), Ok(()));
    }

    #[test]
    fn every_rule_names_its_field() {
        type Breaker = fn(&mut ReportSubmission);
        let cases: Vec<(Breaker, &str)> = vec![
            (|r| r.category = "ufo".into(), "category"),
            (|r| r.lat = Some(91.0), "lat"),
            (|r| r.lon = Some(-181.0), "lon"),
            (|r| r.lat = Some(f64::NAN), "lat"),
            (|r| r.lon = None, "lon"),
            (|r| (r.lat, r.lon) = (None, None), "lat"),
            (|r| r.accuracy_m = Some(-1.0), "accuracy_m"),
            (
                |r| (r.photos, r.description) = (vec![], " ".into()),
                "description",
            ),
            (|r| r.description = "长".repeat(2001), "description"),
            (
                |r| r.photos = (0..4).map(|i| format!("{i}").repeat(64)).collect(),
                "photos",
            ),
            (|r| r.photos = vec!["A".repeat(64)], "photos"),
            (
                |r| r.photos = vec!["b".repeat(64), "b".repeat(64)],
                "photos",
            ),
            (|r| r.captured_at = "yesterday".into(), "captured_at"),
            (
                |r| r.captured_at = "2026-11-26T08:10:01Z".into(),
                "captured_at",
            ),
        ];
        for (i, (break_it, field)) in cases.into_iter().enumerate() {
            let mut r = valid();
            break_it(&mut r);
            let errs = errors(&r);
            assert!(errs.contains_key(field), "case {i}: {errs:?}");
        }
    }

    #[test]
    fn edge_values_are_allowed() {
        let mut r = valid();
        r.description = "长".repeat(2000);
        r.photos = (0..3).map(|i| format!("{i}").repeat(64)).collect();
        r.captured_at = "2026-11-26T08:10:00Z".into();
        r.lat = Some(-90.0);
        r.lon = Some(180.0);
        assert_eq!(r.validate(now(), |_| true), Ok(()));

        let mut address_only = valid();
        (address_only.lat, address_only.lon, address_only.accuracy_m) = (None, None, None);
        address_only.address = Some("青白江区大弯中路地下通道".into());
        assert_eq!(address_only.validate(now(), |_| true), Ok(()));

        let mut text_only = valid();
        text_only.photos.clear();
        assert_eq!(text_only.validate(now(), |_| true), Ok(()));
    }

    #[test]
    fn times_are_written_with_a_fixed_width_so_they_sort() {
        let whole = parse_time("2026-11-26T08:00:05Z").unwrap();
        let later = parse_time("2026-11-26T08:00:05.120+00:00").unwrap();
        assert_eq!(format_time(whole), "2026-11-26T08:00:05.000Z");
        assert_eq!(format_time(later), "2026-11-26T08:00:05.120Z");
        assert!(format_time(whole) < format_time(later));
        assert_eq!(
            format_time(parse_time("2026-11-26T16:00:00+08:00").unwrap()),
            "2026-11-26T08:00:00.000Z"
        );
    }

    #[test]
    fn the_canonical_form_ignores_time_formatting() {
        let mut a = valid();
        a.captured_at = "2026-11-26T15:59:00+08:00".into();
        assert_eq!(a.canonical(), valid().canonical());
    }

    fn received() -> Report {
        Report {
            id: "r1".into(),
            submitted: valid(),
            version: 1,
            reporter_name: "小李".into(),
            grid_id: Some("g1".into()),
            status: ReportStatus::Received,
            level: 1,
            received_at: "2026-11-26T08:00:00.000Z".into(),
            updated_at: "2026-11-26T08:00:00.000Z".into(),
            deadline: None,
            department_id: None,
            acknowledge_deadline: None,
            timeline: vec![],
            points_awarded: 0,
            reporter_id: "u1".into(),
            possible_duplicates: vec![],
            hotspot: false,
            verdicts: Default::default(),
            my_verdict: None,
            round_verdicts: Default::default(),
            duplicate_of: None,
            joined: 0,
            concern_id: None,
        }
    }

    #[test]
    fn a_report_flattens_the_submission() {
        let report = received();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["category"], "manhole_cover");
        assert_eq!(json["status"], "received");
        assert_eq!(serde_json::from_value::<Report>(json).unwrap(), report);
    }

    #[test]
    fn a_report_joined_at_receipt_is_told_from_one_a_worker_rejected_as_a_duplicate() {
        let at = "2026-11-26T08:00:00.000Z";
        let mut joined = received();
        joined.status = ReportStatus::Rejected;
        joined.duplicate_of = Some("r0".into());
        joined.timeline = vec![
            TimelineEntry::new(at, ReportStatus::Received),
            TimelineEntry::new(at, ReportStatus::Rejected),
        ];
        assert!(joined.joined_at_receipt());
        let mut rejected = joined.clone();
        rejected.timeline[1].kind = Some(super::super::task::ActionKind::Reject);
        assert!(!rejected.joined_at_receipt());
        let mut reopened = joined.clone();
        reopened.status = ReportStatus::Accepted;
        assert!(!reopened.joined_at_receipt());
        assert!(!received().joined_at_receipt());
        let user = crate::domain::User {
            id: "w1".into(),
            name: "网格员".into(),
            role: crate::domain::Role::GridWorker,
            grid_id: Some("g1".into()),
            station_id: None,
            department_id: None,
            street: None,
        };
        assert!(!crate::domain::task::on_list_of(&user, &joined));
        assert!(crate::domain::task::on_list_of(&user, &rejected));
    }
}
