//! Riders' own concerns (青亲暖新): a difficulty (困难诉求) or a suggestion (金点子), raised from the phone or at a
//! 暖心驿站's counter, taken up by the station's staff — accepted, answered, forwarded, resolved; a suggestion adopted
//! (采纳) or declined with a reason — and fed back to the rider (收集—响应—反馈).
use serde::{Deserialize, Serialize};

use super::photo::is_sha256_hex;
use super::report::FieldErrors;

/// The longest text a concern or a staff answer may carry.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// Photos a concern may carry.
pub const MAX_PHOTOS: usize = 3;
/// 新星奖 points for an adopted 金点子 (once per suggestion).
pub const ADOPTED_POINTS: i64 = 5;
/// Hours to a first answer when the server is not told otherwise (`serve --concern-reply-hours`).
pub const DEFAULT_REPLY_HOURS: i64 = 48;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ConcernKind {
    /// 困难诉求: a problem of the rider's own work (a compound that won't let riders in, a broken charger).
    Difficulty,
    /// 金点子: a suggestion.
    Suggestion,
}

impl ConcernKind {
    pub fn code(self) -> &'static str {
        match self {
            ConcernKind::Difficulty => "difficulty",
            ConcernKind::Suggestion => "suggestion",
        }
    }

    pub fn from_code(code: &str) -> Option<ConcernKind> {
        [ConcernKind::Difficulty, ConcernKind::Suggestion]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ConcernStatus {
    Received,
    Accepted,
    Resolved,
    Adopted,
    Declined,
}

impl ConcernStatus {
    pub const ALL: [ConcernStatus; 5] = [
        ConcernStatus::Received,
        ConcernStatus::Accepted,
        ConcernStatus::Resolved,
        ConcernStatus::Adopted,
        ConcernStatus::Declined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ConcernStatus::Received => "received",
            ConcernStatus::Accepted => "accepted",
            ConcernStatus::Resolved => "resolved",
            ConcernStatus::Adopted => "adopted",
            ConcernStatus::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<ConcernStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Closed: resolved, adopted or declined (办结).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ConcernStatus::Resolved | ConcernStatus::Adopted | ConcernStatus::Declined
        )
    }
}

/// A topic of the configurable list (`GET /concern-topics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ConcernTopic {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// The demo's topics (the server's list until a district loads its own).
pub const DEMO_TOPICS: [(&str, &str, &str); 7] = [
    ("entry", "小区进门难", "Getting into compounds"),
    ("charging", "充电", "Charging"),
    ("parking", "停车", "Parking"),
    ("rest", "休息", "Rest"),
    ("rights", "权益保障", "Rights and protection"),
    ("traffic", "交通", "Traffic"),
    ("other", "其他", "Other"),
];

/// `PUT /concerns/{concern_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConcernSubmission {
    pub kind: ConcernKind,
    pub topic: String,
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schema(min_length = 1, max_length = 1000, pattern = "\\S")
    )]
    pub text: String,
    pub station_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(schema_with = concern_photos_schema))]
    pub photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(minimum = -90.0, maximum = 90.0))]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(minimum = -180.0, maximum = 180.0))]
    pub lon: Option<f64>,
    /// Station staff raising it at the counter: the code read from the rider's pass, as at check-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rider_pass: Option<String>,
}

#[cfg(not(target_arch = "wasm32"))]
fn concern_photos_schema() -> utoipa::openapi::Array {
    super::photo::photo_list_schema(MAX_PHOTOS)
}

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_TEXT_CHARS
}

impl ConcernSubmission {
    /// The rules whatever the server holds (the phone checks before it queues, the server again); `topic_known`
    /// says whether a topic code is on the list. Messages are `中文 (English)`.
    pub fn validate(&self, topic_known: impl Fn(&str) -> bool) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut fault = |field: &str, message: String| {
            errors.entry(field.to_owned()).or_insert(message);
        };
        if !topic_known(&self.topic) {
            fault("topic", "请选择话题 (unknown topic)".into());
        }
        if self.text.trim().is_empty() {
            fault("text", "请写下您的诉求或建议 (text is required)".into());
        } else if too_long(&self.text) {
            fault(
                "text",
                format!("最多 {MAX_TEXT_CHARS} 字 (at most {MAX_TEXT_CHARS} characters)"),
            );
        }
        if self.station_id.trim().is_empty() {
            fault("station_id", "请选择驿站 (station is required)".into());
        }
        if self.photos.len() > MAX_PHOTOS {
            fault("photos", "最多 3 张照片 (at most 3 photos)".into());
        } else if self.photos.iter().any(|p| !is_sha256_hex(p)) {
            fault(
                "photos",
                "照片编号无效 (photos are lowercase hex SHA-256 hashes)".into(),
            );
        } else if (1..self.photos.len()).any(|i| self.photos[..i].contains(&self.photos[i])) {
            fault("photos", "照片重复 (a photo is listed twice)".into());
        }
        match (self.lat, self.lon) {
            (None, None) => {}
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    fault("lat", "纬度超出范围 (lat out of range)".into());
                }
                if !(-180.0..=180.0).contains(&lon) {
                    fault("lon", "经度超出范围 (lon out of range)".into());
                }
            }
            _ => fault(
                if self.lat.is_none() { "lat" } else { "lon" },
                "位置需要经纬度 (lat and lon go together)".into(),
            ),
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ConcernActionKind {
    /// 受理.
    Accept,
    /// 答复: words that reach the rider.
    Reply,
    /// 转办: to a department, or to a grid (it becomes a task there).
    Forward,
    /// 办结: a difficulty dealt with.
    Resolve,
    /// 采纳: a suggestion taken up (新星奖 points, once).
    Adopt,
    /// 不采纳: a suggestion declined, with the reason.
    Decline,
}

impl ConcernActionKind {
    pub fn code(self) -> &'static str {
        match self {
            ConcernActionKind::Accept => "accept",
            ConcernActionKind::Reply => "reply",
            ConcernActionKind::Forward => "forward",
            ConcernActionKind::Resolve => "resolve",
            ConcernActionKind::Adopt => "adopt",
            ConcernActionKind::Decline => "decline",
        }
    }

    /// An answer commutes with whatever happened meanwhile, like a task's note: it applies to the current
    /// version, never a `409`.
    pub fn needs_version(self) -> bool {
        self != ConcernActionKind::Reply
    }

    /// Whether this kind is the concern's first answer to its rider (the deadline to reply counts to it).
    pub fn answers(self) -> bool {
        self != ConcernActionKind::Accept
    }
}

/// `PUT /concern-actions/{action_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConcernAction {
    pub concern_id: String,
    pub kind: ConcernActionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 1000))]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_id: Option<String>,
    /// Forwarded to a grid: the 清单's category of the task it becomes (an extension; default `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(deserialize_with = "super::whole_number")]
    pub expected_version: i64,
}

/// Why an action cannot apply.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConcernActionError {
    #[error("not allowed in this status")]
    NotAllowed,
    #[error("invalid: {0:?}")]
    Invalid(FieldErrors),
}

impl ConcernAction {
    /// What each kind needs, whatever the concern's status.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let text = self.text.as_deref().map(str::trim).unwrap_or_default();
        let needs_text = matches!(
            self.kind,
            ConcernActionKind::Reply | ConcernActionKind::Resolve | ConcernActionKind::Decline
        );
        if needs_text && text.is_empty() {
            let message = match self.kind {
                ConcernActionKind::Decline => "请说明不采纳的理由 (a reason is required)",
                _ => "请填写答复 (text is required)",
            };
            errors.insert("text".into(), message.into());
        }
        if self.text.as_deref().is_some_and(too_long) {
            errors.insert(
                "text".into(),
                format!("最多 {MAX_TEXT_CHARS} 字 (at most {MAX_TEXT_CHARS} characters)"),
            );
        }
        if self.kind == ConcernActionKind::Forward
            && self.department_id.is_some() == self.grid_id.is_some()
        {
            errors.insert(
                "department_id".into(),
                "转办到一个部门或一个网格 (forward to one department or one grid)".into(),
            );
        }
        errors
    }

    /// The status after this action on a concern of `kind` in `status`; `NotAllowed` when the rules forbid it.
    pub fn outcome(
        &self,
        kind: ConcernKind,
        status: ConcernStatus,
    ) -> Result<ConcernStatus, ConcernActionError> {
        let errors = self.validate();
        if !errors.is_empty() {
            return Err(ConcernActionError::Invalid(errors));
        }
        if status.is_closed() {
            return Err(ConcernActionError::NotAllowed);
        }
        use ConcernActionKind as A;
        match (self.kind, kind) {
            (A::Accept, _) if status == ConcernStatus::Received => Ok(ConcernStatus::Accepted),
            (A::Accept, _) => Err(ConcernActionError::NotAllowed),
            (A::Reply | A::Forward, _) => Ok(ConcernStatus::Accepted),
            (A::Resolve, ConcernKind::Difficulty) => Ok(ConcernStatus::Resolved),
            (A::Adopt, ConcernKind::Suggestion) => Ok(ConcernStatus::Adopted),
            (A::Decline, ConcernKind::Suggestion) => Ok(ConcernStatus::Declined),
            _ => Err(ConcernActionError::NotAllowed),
        }
    }
}

/// One step of a concern's history, as its rider and the staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ConcernStep {
    pub at: String,
    pub status: ConcernStatus,
    /// The action that made it; none for the concern's arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ConcernActionKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Who acted: the staff's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Forwarded: the department's or the grid's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The action's id (a phone whose answer was lost sees that the server has it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// A concern as the server holds it: the submitted fields (without the pass) and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Concern {
    pub id: String,
    pub kind: ConcernKind,
    pub topic: String,
    pub text: String,
    pub station_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    pub version: i64,
    pub status: ConcernStatus,
    /// The rider's display name (never a phone number).
    pub rider_name: String,
    /// Raised at the counter by station staff on the rider's behalf.
    #[serde(default)]
    pub at_counter: bool,
    pub received_at: String,
    pub updated_at: String,
    /// When the first answer is due.
    pub reply_deadline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<String>,
    pub timeline: Vec<ConcernStep>,
    /// Forwarded to a grid: the task (report) it became.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    #[serde(default)]
    pub points_awarded: i64,
    /// Its rider's verdict on its current closing (none yet: left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<super::verdict::Verdict>,
    /// Reopened by its rider's 不满意 (once at most).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reopened: bool,
}

/// `PUT /concern-verdicts/{verdict_id}`: the rider's 满意 / 不满意 on a closed concern of theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConcernVerdict {
    pub concern_id: String,
    pub verdict: super::verdict::Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 500))]
    pub comment: Option<String>,
}

impl ConcernVerdict {
    /// The comment's length, as for a report's verdict.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        super::verdict::VerdictSubmission {
            report_id: self.concern_id.clone(),
            verdict: self.verdict,
            comment: self.comment.clone(),
        }
        .validate()
    }
}

/// What concern figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ConcernGroupBy {
    #[default]
    Station,
    Topic,
}

/// The figures of the concerns received in a period (of one station or topic, or of all): their states now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ConcernFigures {
    pub received: i64,
    /// Given a first answer (a reply, a forward, 办结, 采纳 or 不采纳) …
    pub answered: i64,
    /// … by the deadline to reply.
    pub answered_in_time: i64,
    /// Still open (received or accepted).
    pub open: i64,
    /// Open and not answered by the deadline to reply.
    pub overdue: i64,
    pub resolved: i64,
    pub adopted: i64,
    pub declined: i64,
    /// Forwarded to a grid as a task.
    pub forwarded_to_grid: i64,
    /// 办结率: closed (resolved, adopted or declined) ÷ received; none when nothing was received.
    pub resolution_rate: Option<f64>,
    /// The riders' verdicts on them.
    pub satisfied: i64,
    pub unsatisfied: i64,
    /// 满意率: satisfied ÷ verdicts; none until a verdict is given.
    pub satisfaction: Option<f64>,
}

impl ConcernFigures {
    /// Adds one group's figures (the total of several).
    pub fn add(&mut self, other: &ConcernFigures) {
        self.received += other.received;
        self.answered += other.answered;
        self.answered_in_time += other.answered_in_time;
        self.open += other.open;
        self.overdue += other.overdue;
        self.resolved += other.resolved;
        self.adopted += other.adopted;
        self.declined += other.declined;
        self.forwarded_to_grid += other.forwarded_to_grid;
        self.satisfied += other.satisfied;
        self.unsatisfied += other.unsatisfied;
        self.resolution_rate = self.rate();
        self.satisfaction = self.satisfaction_rate();
    }

    /// 满意率 from the verdicts.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        let given = self.satisfied + self.unsatisfied;
        (given > 0).then(|| self.satisfied as f64 / given as f64)
    }

    /// 办结率 from the counts.
    pub fn rate(&self) -> Option<f64> {
        (self.received > 0)
            .then(|| (self.resolved + self.adopted + self.declined) as f64 / self.received as f64)
    }
}

/// One row of `GET /stats/concerns`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ConcernStatsRow {
    /// The station's id or the topic's code.
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: ConcernFigures,
}

/// `GET /stats/concerns`: per station or topic, and the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ConcernStats {
    pub period: super::figures::PeriodDates,
    pub rows: Vec<ConcernStatsRow>,
    pub total: ConcernFigures,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission() -> ConcernSubmission {
        ConcernSubmission {
            kind: ConcernKind::Difficulty,
            topic: "entry".into(),
            text: "锦绣花园不让骑手进门".into(),
            station_id: "st-01".into(),
            photos: vec![],
            lat: None,
            lon: None,
            rider_pass: None,
        }
    }

    fn action(kind: ConcernActionKind, text: Option<&str>) -> ConcernAction {
        ConcernAction {
            concern_id: "c".into(),
            kind,
            text: text.map(str::to_owned),
            department_id: None,
            grid_id: None,
            category: None,
            expected_version: 1,
        }
    }

    #[test]
    fn a_concern_needs_a_known_topic_text_a_station_and_a_whole_place() {
        let known = |t: &str| t == "entry";
        assert_eq!(submission().validate(known), Ok(()));
        let faults = ConcernSubmission {
            topic: "nope".into(),
            text: "  ".into(),
            station_id: "".into(),
            photos: vec!["x".into()],
            lat: Some(30.0),
            ..submission()
        }
        .validate(known)
        .unwrap_err();
        assert_eq!(
            faults.keys().collect::<Vec<_>>(),
            ["lon", "photos", "station_id", "text", "topic"]
        );
        let long = ConcernSubmission {
            text: "字".repeat(MAX_TEXT_CHARS + 1),
            lat: Some(91.0),
            lon: Some(104.0),
            ..submission()
        };
        let faults = long.validate(known).unwrap_err();
        assert!(faults["text"].contains("1000"));
        assert!(faults.contains_key("lat"));
        assert!(ConcernSubmission {
            text: "字".repeat(MAX_TEXT_CHARS),
            ..submission()
        }
        .validate(known)
        .is_ok());
    }

    #[test]
    fn a_difficulty_is_resolved_and_a_suggestion_adopted_or_declined() {
        use ConcernActionKind as A;
        use ConcernKind::{Difficulty as D, Suggestion as S};
        use ConcernStatus::*;
        let ok = |kind, text: Option<&str>, of, status| action(kind, text).outcome(of, status);
        assert_eq!(ok(A::Accept, None, D, Received), Ok(Accepted));
        assert_eq!(
            ok(A::Accept, None, D, Accepted),
            Err(ConcernActionError::NotAllowed)
        );
        assert_eq!(ok(A::Reply, Some("已联系物业"), D, Received), Ok(Accepted));
        assert_eq!(
            ok(A::Resolve, Some("物业已放行"), D, Accepted),
            Ok(Resolved)
        );
        assert_eq!(
            ok(A::Resolve, Some("好"), S, Accepted),
            Err(ConcernActionError::NotAllowed)
        );
        assert_eq!(ok(A::Adopt, None, S, Received), Ok(Adopted));
        assert_eq!(
            ok(A::Adopt, None, D, Received),
            Err(ConcernActionError::NotAllowed)
        );
        assert_eq!(ok(A::Decline, Some("场地不够"), S, Accepted), Ok(Declined));
        for closed in [Resolved, Adopted, Declined] {
            for kind in [A::Accept, A::Reply, A::Adopt] {
                assert_eq!(
                    ok(kind, Some("再说"), S, closed),
                    Err(ConcernActionError::NotAllowed),
                    "{kind:?} on {closed:?}"
                );
            }
        }
    }

    #[test]
    fn answers_need_words_and_a_forward_one_place() {
        use ConcernActionKind as A;
        for kind in [A::Reply, A::Resolve, A::Decline] {
            let faults = action(kind, Some(" ")).validate();
            assert!(faults.contains_key("text"), "{kind:?}");
        }
        assert!(action(A::Accept, None).validate().is_empty());
        assert!(action(A::Adopt, None).validate().is_empty());
        let forward = action(A::Forward, None);
        assert!(forward.validate().contains_key("department_id"));
        let both = ConcernAction {
            department_id: Some("d".into()),
            grid_id: Some("g".into()),
            ..forward.clone()
        };
        assert!(both.validate().contains_key("department_id"));
        let to_grid = ConcernAction {
            grid_id: Some("g".into()),
            ..forward
        };
        assert!(to_grid.validate().is_empty());
        assert!(!A::Reply.needs_version() && A::Adopt.needs_version());
    }

    #[test]
    fn the_resolution_rate_counts_every_closed_concern() {
        let mut total = ConcernFigures::default();
        assert_eq!(total.rate(), None);
        total.add(&ConcernFigures {
            received: 4,
            resolved: 1,
            adopted: 1,
            declined: 1,
            open: 1,
            ..Default::default()
        });
        assert_eq!(total.resolution_rate, Some(0.75));
    }

    #[test]
    fn codes_round_trip() {
        for s in ConcernStatus::ALL {
            assert_eq!(ConcernStatus::from_code(s.code()), Some(s));
        }
        for k in [ConcernKind::Difficulty, ConcernKind::Suggestion] {
            assert_eq!(ConcernKind::from_code(k.code()), Some(k));
        }
        assert!(ConcernStatus::Adopted.is_closed() && !ConcernStatus::Accepted.is_closed());
    }
}
