//! Tasks: what grid workers may do with a report in each status, how deadlines are set, and the 新星奖 points a
//! reporter earns. The phone offers only what these rules allow; the server enforces the same rules.
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::photo::is_sha256_hex;
use super::report::{FieldErrors, ReportStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ActionKind {
    /// 接单
    Accept,
    /// 开始处置
    Start,
    /// 备注
    Note,
    /// 升级: level 1 专班直处 → 2 部门联处 → 3 提级研处
    Escalate,
    /// 办结
    Resolve,
    /// 退回
    Reject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    Duplicate,
    Invalid,
    NotOurGrid,
}

impl RejectReason {
    pub const ALL: [RejectReason; 3] = [
        RejectReason::Invalid,
        RejectReason::Duplicate,
        RejectReason::NotOurGrid,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RejectReason::Duplicate => "duplicate",
            RejectReason::Invalid => "invalid",
            RejectReason::NotOurGrid => "not_our_grid",
        }
    }

    pub fn from_code(code: &str) -> Option<RejectReason> {
        RejectReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// At most this many photos with one action.
pub const MAX_ACTION_PHOTOS: usize = 3;
/// A note or resolution text, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// An escalation reason, in characters.
pub const MAX_REASON_CHARS: usize = 500;
/// A report id named by `duplicate_of`, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// The body of `PUT /task-actions/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct TaskAction {
    pub report_id: String,
    pub kind: ActionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 2000))]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(schema_with = action_photos_schema))]
    pub photos: Vec<String>,
    /// Why it is escalated (free text) or rejected (`duplicate`, `invalid`, `not_our_grid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 500))]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 64))]
    pub duplicate_of: Option<String>,
    /// The task's `version` the action was decided on. A whole number; JSON's `170.0` is read as `170`.
    #[serde(deserialize_with = "super::whole_number")]
    pub expected_version: i64,
}

#[cfg(not(target_arch = "wasm32"))]
fn action_photos_schema() -> utoipa::openapi::Array {
    super::photo::photo_list_schema(MAX_ACTION_PHOTOS)
}

pub const MAX_LEVEL: u8 = 3;

/// Whether `kind` may be done to a task in `status` at `level`.
pub fn allowed(status: ReportStatus, level: u8, kind: ActionKind) -> bool {
    use ActionKind::*;
    use ReportStatus::*;
    match (status, kind) {
        (Resolved | Rejected, _) => false,
        (_, Note) => true,
        (_, Escalate) => level < MAX_LEVEL,
        (Received, Accept | Reject) => true,
        (Accepted, Start | Resolve | Reject) => true,
        (InProgress, Resolve) => true,
        _ => false,
    }
}

/// Every action allowed now, in the order the phone offers them.
pub fn allowed_actions(status: ReportStatus, level: u8) -> Vec<ActionKind> {
    use ActionKind::*;
    [Accept, Start, Note, Escalate, Resolve, Reject]
        .into_iter()
        .filter(|k| allowed(status, level, *k))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("not allowed in this status")]
    NotAllowed,
    /// Per-field problems (`422 invalid_input` on the server, a message beside the field on the phone).
    #[error("invalid: {0:?}")]
    Invalid(FieldErrors),
}

impl TaskAction {
    /// The rules an action must meet whatever the task's status: limits, and what each kind needs. The phone
    /// checks them before it queues an action, the server before it applies one. Messages are `中文 (English)`.
    pub fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut fault = |field: &str, message: &str| {
            errors.entry(field.to_owned()).or_insert(message.to_owned());
        };
        let has = |s: &Option<String>| s.as_deref().is_some_and(|t| !t.trim().is_empty());
        let chars = |s: &Option<String>| s.as_deref().map_or(0, |t| t.chars().count());
        if self.photos.len() > MAX_ACTION_PHOTOS {
            fault("photos", "最多 3 张照片 (at most 3 photos)");
        }
        if self.photos.iter().any(|p| !is_sha256_hex(p)) {
            fault(
                "photos",
                "照片编号无效 (photos are lowercase hex SHA-256 hashes)",
            );
        }
        if chars(&self.note) > MAX_NOTE_CHARS {
            fault(
                "note",
                "说明不能超过 2000 字 (a note has at most 2,000 characters)",
            );
        }
        if self.kind != ActionKind::Reject && chars(&self.reason) > MAX_REASON_CHARS {
            fault(
                "reason",
                "原因不能超过 500 字 (a reason has at most 500 characters)",
            );
        }
        if self
            .duplicate_of
            .as_deref()
            .is_some_and(|d| d.len() > MAX_ID_LEN)
        {
            fault("duplicate_of", "不是上报编号 (not a report id)");
        }
        match self.kind {
            ActionKind::Note if !has(&self.note) && self.photos.is_empty() => {
                fault("note", "请填写备注或附照片 (a note needs text or a photo)")
            }
            ActionKind::Escalate if !has(&self.reason) => {
                fault("reason", "请填写升级原因 (escalating needs a reason)")
            }
            ActionKind::Resolve if !has(&self.note) => {
                fault("note", "请填写办结说明 (resolving needs a note)")
            }
            ActionKind::Reject => match self.reason.as_deref().and_then(RejectReason::from_code) {
                Some(RejectReason::Duplicate) if !has(&self.duplicate_of) => fault(
                    "duplicate_of",
                    "请填写重复于哪条上报 (a duplicate names the report it duplicates)",
                ),
                Some(_) => {}
                None => fault(
                    "reason",
                    "请选择退回原因 (rejecting needs a reason: duplicate, invalid or not_our_grid)",
                ),
            },
            _ => {}
        }
        errors
    }

    /// Whether this action goes through whatever else happened to the task meanwhile: a note changes neither
    /// status nor level, so it commutes with every other action and never meets a version conflict.
    pub fn commutes(&self) -> bool {
        self.kind == ActionKind::Note
    }
}

/// What an action changes: the new status and level.
pub fn outcome(
    status: ReportStatus,
    level: u8,
    action: &TaskAction,
) -> Result<(ReportStatus, u8), ActionError> {
    if !allowed(status, level, action.kind) {
        return Err(ActionError::NotAllowed);
    }
    let errors = action.validate();
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    Ok(match action.kind {
        ActionKind::Accept => (ReportStatus::Accepted, level),
        ActionKind::Start => (ReportStatus::InProgress, level),
        ActionKind::Note => (status, level),
        ActionKind::Escalate => (status, level + 1),
        ActionKind::Resolve => (ReportStatus::Resolved, level),
        ActionKind::Reject => (ReportStatus::Rejected, level),
    })
}

/// The status and level a task will have once the actions still waiting on the phone apply, in order; an action
/// the rules would refuse changes nothing (the server will refuse it too, and the phone keeps it for the worker).
pub fn project<'a>(
    status: ReportStatus,
    level: u8,
    pending: impl IntoIterator<Item = &'a TaskAction>,
) -> (ReportStatus, u8) {
    pending.into_iter().fold((status, level), |(s, l), action| {
        outcome(s, l, action).unwrap_or((s, l))
    })
}

/// When tasks must be answered and resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRules {
    pub respond: Duration,
    pub respond_urgent: Duration,
    /// Per level 1, 2, 3: counted from acceptance, or from the escalation that set the level.
    pub resolve: [Duration; 3],
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            respond: Duration::hours(2),
            respond_urgent: Duration::minutes(30),
            resolve: [Duration::hours(24), Duration::hours(72), Duration::days(7)],
        }
    }
}

impl DeadlineRules {
    /// The deadline after a change at `at` left the task in `status` at `level`; `previous` is the deadline before.
    pub fn after(
        &self,
        status: ReportStatus,
        level: u8,
        urgent: bool,
        at: OffsetDateTime,
        kind: Option<ActionKind>,
        previous: Option<OffsetDateTime>,
    ) -> Option<OffsetDateTime> {
        let resolve = self.resolve[(level.clamp(1, 3) - 1) as usize];
        match (status, kind) {
            (ReportStatus::Resolved | ReportStatus::Rejected, _) => None,
            (ReportStatus::Received, None) => Some(
                at + if urgent {
                    self.respond_urgent
                } else {
                    self.respond
                },
            ),
            (_, Some(ActionKind::Accept | ActionKind::Escalate)) => Some(at + resolve),
            _ => previous,
        }
    }
}

/// 新星奖 points a reporter earns for a change to their report, by a stable reason (each reason at most once
/// per report, however often actions replay).
pub fn points_for(new_status: ReportStatus, kind: ActionKind) -> Option<(&'static str, i64)> {
    match (new_status, kind) {
        (ReportStatus::Accepted, ActionKind::Accept) => Some(("accepted", 5)),
        (ReportStatus::Resolved, ActionKind::Resolve) => Some(("resolved", 10)),
        _ => None,
    }
}

/// Points for a report rejected as a duplicate: +2 when it adds a photo the original lacked.
pub fn points_for_duplicate(
    duplicate_photos: &[String],
    original_photos: &[String],
) -> Option<(&'static str, i64)> {
    duplicate_photos
        .iter()
        .any(|p| !original_photos.contains(p))
        .then_some(("duplicate_photo", 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_version_may_be_written_as_a_whole_float() {
        let action = |v: &str| {
            serde_json::from_str::<TaskAction>(&format!(
                r#"{{"report_id": "r", "kind": "note", "expected_version": {v}}}"#
            ))
        };
        assert_eq!(action("170").unwrap().expected_version, 170);
        assert_eq!(action("170.0").unwrap().expected_version, 170);
        assert_eq!(action("-3.0").unwrap().expected_version, -3);
        assert_eq!(
            action("-1845943186461385.0").unwrap().expected_version,
            -1845943186461385,
            "a float the parser reads one unit off"
        );
        assert!(action("170.5").is_err());
        assert!(action("1e300").is_err());
        assert!(action("\"170\"").is_err());
    }
    use ActionKind::*;
    use ReportStatus::*;

    fn action(kind: ActionKind) -> TaskAction {
        TaskAction {
            report_id: "r".into(),
            kind,
            note: Some("已处理".into()),
            photos: vec![],
            reason: Some("invalid".into()),
            duplicate_of: None,
            expected_version: 1,
        }
    }

    #[test]
    fn the_full_status_by_action_table() {
        let table = [
            (Received, vec![Accept, Note, Escalate, Reject]),
            (Accepted, vec![Start, Note, Escalate, Resolve, Reject]),
            (InProgress, vec![Note, Escalate, Resolve]),
            (Resolved, vec![]),
            (Rejected, vec![]),
        ];
        for (status, want) in table {
            assert_eq!(allowed_actions(status, 1), want, "{status:?}");
        }
        assert!(!allowed(Accepted, 3, Escalate), "level 3 is the top");
    }

    #[test]
    fn outcomes_move_status_and_level() {
        assert_eq!(outcome(Received, 1, &action(Accept)), Ok((Accepted, 1)));
        assert_eq!(outcome(Accepted, 1, &action(Start)), Ok((InProgress, 1)));
        assert_eq!(
            outcome(InProgress, 2, &action(Escalate)),
            Ok((InProgress, 3))
        );
        assert_eq!(outcome(InProgress, 1, &action(Resolve)), Ok((Resolved, 1)));
        assert_eq!(outcome(Received, 1, &action(Reject)), Ok((Rejected, 1)));
        assert_eq!(
            outcome(Rejected, 1, &action(Resolve)),
            Err(ActionError::NotAllowed)
        );
    }

    #[test]
    fn required_fields() {
        let fields = |a: &TaskAction| a.validate().into_keys().collect::<Vec<_>>();
        let mut resolve = action(Resolve);
        resolve.note = Some(" ".into());
        assert_eq!(fields(&resolve), ["note"]);
        assert!(matches!(
            outcome(Accepted, 1, &resolve),
            Err(ActionError::Invalid(_))
        ));
        let mut escalate = action(Escalate);
        escalate.reason = None;
        assert_eq!(fields(&escalate), ["reason"]);
        let mut dup = action(Reject);
        dup.reason = Some("duplicate".into());
        assert_eq!(fields(&dup), ["duplicate_of"]);
        dup.duplicate_of = Some("other".into());
        assert_eq!(outcome(Received, 1, &dup), Ok((Rejected, 1)));
        let mut why = action(Reject);
        why.reason = Some("bored".into());
        assert_eq!(fields(&why), ["reason"]);
        let mut empty_note = action(Note);
        empty_note.note = None;
        assert_eq!(fields(&empty_note), ["note"]);
        empty_note.photos = vec!["a".repeat(64)];
        assert!(fields(&empty_note).is_empty(), "a photo alone is a note");
    }

    #[test]
    fn limits_are_named_by_field() {
        let fields = |a: &TaskAction| a.validate().into_keys().collect::<Vec<_>>();
        let mut a = action(Note);
        a.note = Some("字".repeat(MAX_NOTE_CHARS));
        assert!(fields(&a).is_empty(), "2,000 characters are allowed");
        a.note = Some("字".repeat(MAX_NOTE_CHARS + 1));
        assert_eq!(fields(&a), ["note"]);
        let mut e = action(Escalate);
        e.reason = Some("因".repeat(MAX_REASON_CHARS + 1));
        assert_eq!(fields(&e), ["reason"]);
        let mut p = action(Note);
        p.photos = vec!["a".repeat(64); MAX_ACTION_PHOTOS + 1];
        assert_eq!(fields(&p), ["photos"]);
        p.photos = vec!["A".repeat(64)];
        assert_eq!(fields(&p), ["photos"]);
        let mut d = action(Reject);
        d.reason = Some("duplicate".into());
        d.duplicate_of = Some("x".repeat(MAX_ID_LEN + 1));
        assert_eq!(fields(&d), ["duplicate_of"]);
    }

    #[test]
    fn pending_actions_project_the_task_in_order() {
        let chain = [
            action(Accept),
            action(Note),
            action(Escalate),
            action(Resolve),
        ];
        assert_eq!(project(Received, 1, &chain[..1]), (Accepted, 1));
        assert_eq!(project(Received, 1, &chain[..3]), (Accepted, 2));
        assert_eq!(project(Received, 1, &chain), (Resolved, 2));
        // A refused step (start on a received task) changes nothing; the rest still applies.
        assert_eq!(
            project(Received, 1, &[action(Start), action(Accept)]),
            (Accepted, 1)
        );
        assert!(action(Note).commutes());
        assert!(!action(Accept).commutes());
    }

    #[test]
    fn reject_reasons_round_trip() {
        for r in RejectReason::ALL {
            assert_eq!(RejectReason::from_code(r.code()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.code());
        }
        assert_eq!(RejectReason::from_code("bored"), None);
    }

    #[test]
    fn deadlines_follow_urgency_acceptance_and_escalation() {
        let rules = DeadlineRules::default();
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        assert_eq!(
            rules.after(Received, 1, false, t0, None, None),
            Some(t0 + Duration::hours(2))
        );
        assert_eq!(
            rules.after(Received, 1, true, t0, None, None),
            Some(t0 + Duration::minutes(30))
        );
        let t1 = t0 + Duration::hours(1);
        let accepted = rules.after(Accepted, 1, true, t1, Some(Accept), None);
        assert_eq!(accepted, Some(t1 + Duration::hours(24)));
        let t2 = t1 + Duration::hours(5);
        assert_eq!(
            rules.after(Accepted, 1, false, t2, Some(Note), accepted),
            accepted,
            "a note changes nothing"
        );
        assert_eq!(
            rules.after(Accepted, 2, false, t2, Some(Escalate), accepted),
            Some(t2 + Duration::hours(72))
        );
        assert_eq!(
            rules.after(Accepted, 3, false, t2, Some(Escalate), accepted),
            Some(t2 + Duration::days(7))
        );
        assert_eq!(
            rules.after(Resolved, 3, false, t2, Some(Resolve), accepted),
            None
        );
    }

    #[test]
    fn a_duplicate_earns_points_only_for_a_new_photo() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let (only_a, only_b, both) = (vec![a.clone()], vec![b.clone()], vec![a, b]);
        assert_eq!(
            points_for_duplicate(&only_b, &only_a),
            Some(("duplicate_photo", 2))
        );
        assert_eq!(points_for_duplicate(&only_a, &both), None);
        assert_eq!(points_for_duplicate(&[], &only_a), None);
    }

    #[test]
    fn points_for_acceptance_and_resolution_only() {
        assert_eq!(points_for(Accepted, Accept), Some(("accepted", 5)));
        assert_eq!(points_for(Resolved, Resolve), Some(("resolved", 10)));
        assert_eq!(points_for(Rejected, Reject), None);
        assert_eq!(points_for(InProgress, Start), None);
    }
}
