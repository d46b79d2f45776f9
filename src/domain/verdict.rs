//! The reporter's verdict (满意 / 不满意) on a resolved report: the loop of 收集—响应—反馈 ends with the person who
//! raised the problem. One verdict per person per resolution; 不满意 reopens the task once.
use serde::{Deserialize, Serialize};

use super::report::FieldErrors;

/// The longest comment a verdict may carry.
pub const MAX_COMMENT_CHARS: usize = 500;
/// How long the reporter is asked after a report is resolved; no verdict by then counts as not rated (never as
/// satisfied).
pub const ASK_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Verdict {
    Satisfied,
    Unsatisfied,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Satisfied => "satisfied",
            Verdict::Unsatisfied => "unsatisfied",
        }
    }

    pub fn from_code(code: &str) -> Option<Verdict> {
        [Verdict::Satisfied, Verdict::Unsatisfied]
            .into_iter()
            .find(|v| v.code() == code)
    }
}

/// `PUT /verdicts/{verdict_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VerdictSubmission {
    pub report_id: String,
    pub verdict: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 500))]
    pub comment: Option<String>,
}

impl VerdictSubmission {
    /// The comment's length (the phone checks before it queues, the server again).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            errors.insert(
                "comment".into(),
                format!("评价最多 {MAX_COMMENT_CHARS} 字 (at most {MAX_COMMENT_CHARS} characters)"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The verdicts a report has had, over all its resolutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct VerdictCounts {
    pub satisfied: i64,
    pub unsatisfied: i64,
}

impl VerdictCounts {
    pub fn is_empty(&self) -> bool {
        self.satisfied == 0 && self.unsatisfied == 0
    }
}

/// Whether a verdict reopens the task: 不满意 does, once — a task already reopened by a verdict is not reopened
/// again (the second 不满意 is recorded and flagged to the district).
pub fn reopens(verdict: Verdict, reopened_before: i64) -> bool {
    verdict == Verdict::Unsatisfied && reopened_before == 0
}

/// 满意率: satisfied ÷ all verdicts; none without verdicts.
pub fn satisfaction(satisfied: i64, unsatisfied: i64) -> Option<f64> {
    let all = satisfied + unsatisfied;
    (all > 0).then(|| satisfied as f64 / all as f64)
}

/// Whether the reporter is asked for a verdict on `report` at `now` (Unix seconds): it is resolved, they have not
/// judged this resolution, and it was resolved less than [`ASK_DAYS`] ago.
pub fn asks(report: &super::Report, now: i64) -> bool {
    use super::ReportStatus;
    if report.status != ReportStatus::Resolved || report.my_verdict.is_some() {
        return false;
    }
    let resolved = report
        .timeline
        .iter()
        .rev()
        .find(|e| e.status == ReportStatus::Resolved)
        .and_then(|e| super::timestamp::parse_time(&e.at));
    resolved.is_some_and(|at| now - at.unix_timestamp() < ASK_DAYS * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsatisfied_reopens_once() {
        assert!(reopens(Verdict::Unsatisfied, 0));
        assert!(!reopens(Verdict::Unsatisfied, 1));
        assert!(!reopens(Verdict::Satisfied, 0));
    }

    #[test]
    fn a_long_comment_is_named() {
        let v = |comment: &str| VerdictSubmission {
            report_id: "r".into(),
            verdict: Verdict::Unsatisfied,
            comment: Some(comment.into()),
        };
        assert!(v(&"井".repeat(500)).validate().is_ok());
        assert!(v(&"井".repeat(501))
            .validate()
            .unwrap_err()
            .contains_key("comment"));
    }

    #[test]
    fn satisfaction_is_the_satisfied_share() {
        assert_eq!(satisfaction(0, 0), None);
        assert_eq!(satisfaction(3, 1), Some(0.75));
    }
}
