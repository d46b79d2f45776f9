//! Tasks: what grid workers may do with a report in each status, how deadlines are set, and the 新星奖 points a
//! reporter earns. The phone offers only what these rules allow; the server enforces the same rules.
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::photo::is_sha256_hex;
use super::report::{FieldErrors, Report, ReportStatus};
use super::timestamp::parse_time;
use super::user::Role;

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
    /// 吹哨: call a department to the task (level ≥ 2; the grid's side).
    CallDepartment,
    /// 报到: the called department answers the call.
    Acknowledge,
    /// The called department hands the task back to the grid, with a reason.
    HandBack,
    /// 提级研处: the district's decision on a level-3 task (admins).
    Decide,
}

impl ActionKind {
    /// Every kind, in the order the phone offers them.
    pub const ALL: [ActionKind; 10] = [
        ActionKind::Accept,
        ActionKind::Acknowledge,
        ActionKind::Start,
        ActionKind::Note,
        ActionKind::Escalate,
        ActionKind::CallDepartment,
        ActionKind::Decide,
        ActionKind::Resolve,
        ActionKind::HandBack,
        ActionKind::Reject,
    ];
}

/// Where a department's call (吹哨) stands: none, waiting for its 报到, or answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Call {
    #[default]
    None,
    Waiting,
    Acknowledged,
}

/// What the rules need to know of a task: its status, level and call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskState {
    pub status: ReportStatus,
    pub level: u8,
    pub call: Call,
}

impl TaskState {
    pub fn new(status: ReportStatus, level: u8) -> TaskState {
        TaskState {
            status,
            level,
            call: Call::None,
        }
    }

    /// The state of a report as the server last sent it.
    pub fn of(report: &Report) -> TaskState {
        TaskState {
            status: report.status,
            level: report.level,
            call: Call::of(
                report.department_id.as_deref(),
                report.acknowledge_deadline.is_some(),
            ),
        }
    }

    /// This state as someone of `role` (of department `own`) acts on it, the task being called to `called`: to the
    /// staff of another department than the one called now, no call is theirs to answer.
    pub fn seen_by(mut self, called: Option<&str>, role: Role, own: Option<&str>) -> TaskState {
        if role == Role::DepartmentStaff && (called.is_none() || called != own) {
            self.call = Call::None;
        }
        self
    }
}

impl Call {
    /// The call of a task called to `department`, `waiting` while its acknowledgement deadline stands.
    pub fn of(department: Option<&str>, waiting: bool) -> Call {
        match (department, waiting) {
            (None, _) => Call::None,
            (Some(_), true) => Call::Waiting,
            (Some(_), false) => Call::Acknowledged,
        }
    }
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
/// A report id named by `duplicate_of`, or a department's code, in bytes.
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
    /// The department called (`call_department`, `decide`; with `escalate` to level 2 instead of the one the
    /// category's 清单 names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 64))]
    pub department_id: Option<String>,
    /// A new resolve deadline set by the district's decision (`decide`), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(format = DateTime))]
    pub deadline: Option<String>,
    /// The task's `version` the action was decided on. A whole number; JSON's `170.0` is read as `170`.
    #[serde(deserialize_with = "super::whole_number")]
    pub expected_version: i64,
}

#[cfg(not(target_arch = "wasm32"))]
fn action_photos_schema() -> utoipa::openapi::Array {
    super::photo::photo_list_schema(MAX_ACTION_PHOTOS)
}

pub const MAX_LEVEL: u8 = 3;

/// Whether someone of `role` may do `kind` to a task in state `t` (where they act on it at all: their grid, the
/// department called to it — the server checks that). The grid's side (its workers, admins) works the task and
/// calls departments from level 2; the called department answers (报到), notes, resolves once it has answered, or
/// hands the task back; admins decide level-3 tasks for the district.
pub fn allowed(t: TaskState, role: Role, kind: ActionKind) -> bool {
    use ActionKind::*;
    use ReportStatus::*;
    if !t.status.is_open() {
        return false;
    }
    let grid = || match (t.status, kind) {
        (_, Note) => true,
        (_, Escalate) => t.level < MAX_LEVEL,
        (_, CallDepartment) => t.level >= 2,
        (Received, Accept | Reject) => true,
        (Accepted, Start | Resolve | Reject) => true,
        (InProgress, Resolve) => true,
        _ => false,
    };
    match role {
        Role::GridWorker => grid(),
        Role::Admin => grid() || (kind == Decide && t.level == MAX_LEVEL),
        Role::DepartmentStaff => match (t.call, kind) {
            (Call::None, _) => false,
            (_, Note | HandBack) => true,
            (Call::Waiting, Acknowledge) => true,
            (Call::Acknowledged, Resolve) => true,
            _ => false,
        },
        _ => false,
    }
}

/// Whether a task waits for `user`'s first answer: a grid's new task to 接单, a call to their department to 报到.
/// The phone's 任务 tab counts these, and a new urgent one is announced.
pub fn awaits_answer(task: &Report, user: &super::User) -> bool {
    let t = TaskState::of(task).seen_by(
        task.department_id.as_deref(),
        user.role,
        user.department_id.as_deref(),
    );
    allowed(t, user.role, ActionKind::Accept) || allowed(t, user.role, ActionKind::Acknowledge)
}

/// Whether a task belongs on `user`'s 任务 list: a grid worker's grid (admins: every task), or for department
/// staff every task called to their department that someone else reported (their phone gets no other).
pub fn on_list_of(user: &super::User, task: &Report) -> bool {
    if task.joined_at_receipt() {
        // Its group's task stands for it.
        return false;
    }
    match user.role {
        Role::DepartmentStaff => task.reporter_id != user.id,
        _ => user.grid_id.is_none() || task.grid_id == user.grid_id,
    }
}

/// Every action someone of `role` may do now, in the order the phone offers them.
pub fn allowed_actions(t: TaskState, role: Role) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| allowed(t, role, *k))
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
        if self
            .department_id
            .as_deref()
            .is_some_and(|d| d.len() > MAX_ID_LEN || d.trim().is_empty())
        {
            fault("department_id", "不是部门编号 (not a department's code)");
        }
        match (&self.deadline, self.kind) {
            (Some(d), ActionKind::Decide) if parse_time(d).is_none() => fault(
                "deadline",
                "期限须是 RFC 3339 时间 (a deadline is an RFC 3339 time)",
            ),
            (Some(_), kind) if kind != ActionKind::Decide => fault(
                "deadline",
                "只有研处决定可设期限 (only a decision sets a deadline)",
            ),
            _ => {}
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
            ActionKind::CallDepartment => {
                if self.department_id.is_none() {
                    fault(
                        "department_id",
                        "请选择要吹哨的部门 (calling needs a department)",
                    );
                }
                if !has(&self.reason) {
                    fault(
                        "reason",
                        "请填写吹哨原因 (calling a department needs a reason)",
                    );
                }
            }
            ActionKind::HandBack if !has(&self.reason) => fault(
                "reason",
                "请填写退回网格的原因 (handing back needs a reason)",
            ),
            ActionKind::Decide if !has(&self.note) => {
                fault("note", "请填写研处决定 (a decision needs a note)")
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

    /// Whether this action, done to a task in state `before`, calls a department (and so starts the clock of its
    /// 报到): a call, an escalation to level 2, a decision naming one.
    pub fn calls(&self, before: TaskState) -> bool {
        match self.kind {
            ActionKind::CallDepartment => true,
            ActionKind::Escalate => before.level == 1,
            ActionKind::Decide => self.department_id.is_some(),
            _ => false,
        }
    }
}

/// What an action by someone of `role` changes: the new status, level and call.
pub fn outcome(t: TaskState, role: Role, action: &TaskAction) -> Result<TaskState, ActionError> {
    if !allowed(t, role, action.kind) {
        return Err(ActionError::NotAllowed);
    }
    let errors = action.validate();
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let call = if action.calls(t) {
        Call::Waiting
    } else {
        t.call
    };
    let with = |status, level, call| TaskState {
        status,
        level,
        call,
    };
    Ok(match action.kind {
        ActionKind::Accept => with(ReportStatus::Accepted, t.level, call),
        ActionKind::Start => with(ReportStatus::InProgress, t.level, call),
        ActionKind::Escalate => with(t.status, t.level + 1, call),
        ActionKind::Resolve => with(ReportStatus::Resolved, t.level, call),
        ActionKind::Reject => with(ReportStatus::Rejected, t.level, call),
        ActionKind::Acknowledge => with(t.status, t.level, Call::Acknowledged),
        ActionKind::HandBack => with(t.status, t.level, Call::None),
        ActionKind::Note | ActionKind::CallDepartment | ActionKind::Decide => {
            with(t.status, t.level, call)
        }
    })
}

/// The state a task will have once the actions still waiting on the phone apply, in order; an action the rules
/// would refuse changes nothing (the server will refuse it too, and the phone keeps it for its user).
pub fn project<'a>(
    t: TaskState,
    role: Role,
    pending: impl IntoIterator<Item = &'a TaskAction>,
) -> TaskState {
    pending
        .into_iter()
        .fold(t, |t, action| outcome(t, role, action).unwrap_or(t))
}

/// The district's list of escalated tasks (`GET /escalations`): the open tasks at level 2 (部门联处) and 3 (提级研处),
/// level 3 first, then those whose department is late to answer, then by deadline; at most [`MAX_ESCALATIONS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Escalations {
    pub tasks: Vec<Report>,
    /// How many there are in all (more than `tasks` holds when the list is cut).
    pub total: i64,
    /// Resolved tasks whose reporter was unsatisfied again after the one reopening a 不满意 brings (a second
    /// 不满意 reopens nothing: it is flagged here, to the district), newest first, of the last
    /// [`DISPUTED_DAYS`] days; at most [`MAX_ESCALATIONS`].
    #[serde(default)]
    pub disputed: Vec<Report>,
}

pub const MAX_ESCALATIONS: usize = 500;
/// How long a second 不满意 stays flagged in the district's queue.
pub const DISPUTED_DAYS: i64 = 30;

/// When tasks must be answered and resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlineRules {
    pub respond: Duration,
    pub respond_urgent: Duration,
    /// Per level 1, 2, 3: counted from acceptance, or from the escalation that set the level.
    pub resolve: [Duration; 3],
    /// For a called department's 报到, counted from the call.
    pub acknowledge: Duration,
}

impl Default for DeadlineRules {
    fn default() -> Self {
        DeadlineRules {
            respond: Duration::hours(2),
            respond_urgent: Duration::minutes(30),
            resolve: [Duration::hours(24), Duration::hours(72), Duration::days(7)],
            acknowledge: Duration::hours(4),
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

    /// When the called department must have answered (报到), after a change at `at` left the task in `after`:
    /// a new call starts the clock, an open call keeps it, none has one.
    pub fn acknowledge_by(
        &self,
        after: TaskState,
        called: bool,
        at: OffsetDateTime,
        previous: Option<OffsetDateTime>,
    ) -> Option<OffsetDateTime> {
        match after.call {
            Call::Waiting if after.status.is_open() => {
                if called {
                    Some(at + self.acknowledge)
                } else {
                    previous
                }
            }
            _ => None,
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
            department_id: Some("chengguan".into()),
            deadline: None,
            expected_version: 1,
        }
    }

    fn at(status: ReportStatus, level: u8, call: Call) -> TaskState {
        TaskState {
            status,
            level,
            call,
        }
    }

    fn state(status: ReportStatus, level: u8) -> TaskState {
        TaskState::new(status, level)
    }

    #[test]
    fn the_full_status_by_action_table() {
        let worker = Role::GridWorker;
        let table = [
            (Received, vec![Accept, Note, Escalate, Reject]),
            (Accepted, vec![Start, Note, Escalate, Resolve, Reject]),
            (InProgress, vec![Note, Escalate, Resolve]),
            (Resolved, vec![]),
            (Rejected, vec![]),
        ];
        for (status, want) in table {
            assert_eq!(
                allowed_actions(state(status, 1), worker),
                want,
                "{status:?}"
            );
        }
        assert!(
            !allowed(state(Accepted, 3), worker, Escalate),
            "level 3 is the top"
        );
        assert_eq!(
            allowed_actions(at(Accepted, 2, Call::Waiting), worker),
            vec![Start, Note, Escalate, CallDepartment, Resolve, Reject],
            "from level 2 the grid may call (another) department"
        );
        assert_eq!(
            allowed_actions(state(InProgress, 3), Role::Admin),
            vec![Note, CallDepartment, Decide, Resolve],
            "admins decide level-3 tasks"
        );
        assert!(!allowed(state(InProgress, 2), Role::Admin, Decide));
        for role in [Role::Rider, Role::StationStaff, Role::Official] {
            assert!(
                allowed_actions(state(Received, 1), role).is_empty(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn the_department_answers_then_resolves_or_hands_back() {
        let dept = Role::DepartmentStaff;
        let table = [
            (Call::None, vec![]),
            (Call::Waiting, vec![Acknowledge, Note, HandBack]),
            (Call::Acknowledged, vec![Note, Resolve, HandBack]),
        ];
        for (call, want) in table {
            assert_eq!(
                allowed_actions(at(Accepted, 2, call), dept),
                want,
                "{call:?}"
            );
        }
        assert!(allowed_actions(at(Resolved, 2, Call::Acknowledged), dept).is_empty());
        let waiting = at(Received, 2, Call::Waiting);
        let answered = outcome(waiting, dept, &action(Acknowledge)).unwrap();
        assert_eq!(answered, at(Received, 2, Call::Acknowledged));
        let mut back = action(HandBack);
        back.reason = Some("不属本部门职责".into());
        assert_eq!(
            outcome(answered, dept, &back),
            Ok(at(Received, 2, Call::None))
        );
        assert_eq!(
            outcome(answered, dept, &action(Resolve)),
            Ok(at(Resolved, 2, Call::Acknowledged))
        );
        assert_eq!(
            outcome(waiting, dept, &action(Resolve)),
            Err(ActionError::NotAllowed),
            "报到 first"
        );
    }

    #[test]
    fn escalating_to_level_two_calls_a_department() {
        let worker = Role::GridWorker;
        let mut up = action(Escalate);
        up.reason = Some("需城管执法".into());
        assert_eq!(
            outcome(state(Accepted, 1), worker, &up),
            Ok(at(Accepted, 2, Call::Waiting))
        );
        assert!(up.calls(state(Accepted, 1)));
        assert!(
            !up.calls(at(Accepted, 2, Call::Acknowledged)),
            "to level 3 the call stays as it is"
        );
        assert_eq!(
            outcome(at(Accepted, 2, Call::Acknowledged), worker, &up),
            Ok(at(Accepted, 3, Call::Acknowledged))
        );
        let mut decide = action(Decide);
        decide.department_id = None;
        assert!(!decide.calls(state(Accepted, 3)));
        assert_eq!(
            outcome(state(Accepted, 3), Role::Admin, &decide),
            Ok(state(Accepted, 3))
        );
        decide.department_id = Some("zhujian".into());
        assert_eq!(
            outcome(state(Accepted, 3), Role::Admin, &decide),
            Ok(at(Accepted, 3, Call::Waiting))
        );
    }

    #[test]
    fn outcomes_move_status_and_level() {
        let w = Role::GridWorker;
        let go = |s, l, k| outcome(state(s, l), w, &action(k));
        assert_eq!(go(Received, 1, Accept), Ok(state(Accepted, 1)));
        assert_eq!(go(Accepted, 1, Start), Ok(state(InProgress, 1)));
        assert_eq!(go(InProgress, 2, Escalate), Ok(state(InProgress, 3)));
        assert_eq!(go(InProgress, 1, Resolve), Ok(state(Resolved, 1)));
        assert_eq!(go(Received, 1, Reject), Ok(state(Rejected, 1)));
        assert_eq!(go(Rejected, 1, Resolve), Err(ActionError::NotAllowed));
    }

    #[test]
    fn required_fields() {
        let fields = |a: &TaskAction| a.validate().into_keys().collect::<Vec<_>>();
        let mut resolve = action(Resolve);
        resolve.note = Some(" ".into());
        assert_eq!(fields(&resolve), ["note"]);
        assert!(matches!(
            outcome(state(Accepted, 1), Role::GridWorker, &resolve),
            Err(ActionError::Invalid(_))
        ));
        let mut call = action(CallDepartment);
        call.department_id = None;
        call.reason = None;
        assert_eq!(fields(&call), ["department_id", "reason"]);
        let mut back = action(HandBack);
        back.reason = None;
        assert_eq!(fields(&back), ["reason"]);
        let mut decide = action(Decide);
        decide.note = None;
        decide.deadline = Some("next week".into());
        assert_eq!(fields(&decide), ["deadline", "note"]);
        decide.note = Some("由住建局牵头".into());
        decide.deadline = Some("2026-12-08T10:00:00Z".into());
        assert!(fields(&decide).is_empty());
        let mut note = action(Note);
        note.deadline = Some("2026-12-08T10:00:00Z".into());
        assert_eq!(
            fields(&note),
            ["deadline"],
            "only a decision sets a deadline"
        );
        let mut escalate = action(Escalate);
        escalate.reason = None;
        assert_eq!(fields(&escalate), ["reason"]);
        let mut dup = action(Reject);
        dup.reason = Some("duplicate".into());
        assert_eq!(fields(&dup), ["duplicate_of"]);
        dup.duplicate_of = Some("other".into());
        assert_eq!(
            outcome(state(Received, 1), Role::GridWorker, &dup),
            Ok(state(Rejected, 1))
        );
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
        let w = Role::GridWorker;
        let t0 = state(Received, 1);
        assert_eq!(project(t0, w, &chain[..1]), state(Accepted, 1));
        assert_eq!(project(t0, w, &chain[..3]), at(Accepted, 2, Call::Waiting));
        assert_eq!(project(t0, w, &chain), at(Resolved, 2, Call::Waiting));
        // A refused step (start on a received task) changes nothing; the rest still applies.
        assert_eq!(
            project(t0, w, &[action(Start), action(Accept)]),
            state(Accepted, 1)
        );
        // A department offline: 报到 then 办结, queued together.
        assert_eq!(
            project(
                at(Accepted, 2, Call::Waiting),
                Role::DepartmentStaff,
                &[action(Acknowledge), action(Resolve)]
            ),
            at(Resolved, 2, Call::Acknowledged)
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
    fn a_call_starts_the_clock_of_its_acknowledgement() {
        let rules = DeadlineRules::default();
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let waiting = at(Accepted, 2, Call::Waiting);
        let due = rules.acknowledge_by(waiting, true, t0, None);
        assert_eq!(due, Some(t0 + Duration::hours(4)));
        let t1 = t0 + Duration::hours(1);
        assert_eq!(
            rules.acknowledge_by(waiting, false, t1, due),
            due,
            "a note while waiting keeps the clock"
        );
        assert_eq!(
            rules.acknowledge_by(at(Accepted, 2, Call::Acknowledged), false, t1, due),
            None
        );
        assert_eq!(
            rules.acknowledge_by(at(Resolved, 2, Call::Waiting), false, t1, due),
            None,
            "a closed task waits for nobody"
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
