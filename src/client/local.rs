//! Reports as the phone keeps them: a draft from the moment a photo is taken, then queued, sending, delivered
//! or needing attention; with the server's version of the report once it has one.
use serde::{Deserialize, Serialize};

use crate::domain::{Report, ReportSubmission};

/// Where a report stands on this phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalState {
    /// 草稿: started, not sent yet.
    Draft,
    /// 待发送: saved, waiting in the outbox.
    Queued,
    /// 发送中.
    Sending,
    /// 已送达: the server acknowledged it.
    Delivered,
    /// 需处理: the server refused it (409/422); kept with the reason.
    NeedsAttention,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalPhoto {
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalReport {
    pub id: String,
    pub state: LocalState,
    pub category: Option<String>,
    pub urgent: bool,
    pub description: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub address: String,
    pub photos: Vec<LocalPhoto>,
    pub captured_at: String,
    /// Milliseconds since the epoch when the report was started on this phone (for ordering).
    pub created_ms: f64,
    /// Why the server refused it, when it did.
    pub problem: Option<String>,
    /// The server's report, once delivered (and as the change feed updates it).
    pub server: Option<Report>,
}

impl LocalReport {
    /// Whether `user_id` reported it (one made on this phone has no server copy yet): the phone of a grid worker,
    /// department or admin also holds other people's reports as tasks.
    pub fn is_mine(&self, user_id: &str) -> bool {
        self.server
            .as_ref()
            .is_none_or(|s| s.reporter_id.is_empty() || s.reporter_id == user_id)
    }

    /// What is sent to the server (`None` while no category is chosen).
    pub fn submission(&self) -> Option<ReportSubmission> {
        Some(ReportSubmission {
            category: self.category.clone()?,
            urgent: self.urgent,
            description: self.description.trim().to_owned(),
            lat: self.lat,
            lon: self.lon,
            accuracy_m: self.accuracy_m,
            address: Some(self.address.trim().to_owned()).filter(|a| !a.is_empty()),
            photos: self.photos.iter().map(|p| p.sha256.clone()).collect(),
            captured_at: self.captured_at.clone(),
        })
    }

    /// Bytes this report costs to send: its photos and the JSON.
    pub fn bytes_to_send(&self) -> u64 {
        let json = self
            .submission()
            .and_then(|s| serde_json::to_vec(&s).ok())
            .map_or(400, |v| v.len() as u64);
        self.photos.iter().map(|p| p.size).sum::<u64>() + json
    }

    /// Keeps the server's answer unless the phone already has a newer version of it (answers and feed pages can
    /// arrive out of order; versions only grow).
    pub fn merge_server(&mut self, report: Report) {
        if self
            .server
            .as_ref()
            .is_none_or(|s| s.version <= report.version)
        {
            self.server = Some(report);
        }
    }

    /// A report the phone learns of from the server only (after its storage was wiped, say).
    pub fn from_server(report: Report) -> LocalReport {
        let s = &report.submitted;
        LocalReport {
            id: report.id.clone(),
            state: LocalState::Delivered,
            category: Some(s.category.clone()),
            urgent: s.urgent,
            description: s.description.clone(),
            lat: s.lat,
            lon: s.lon,
            accuracy_m: s.accuracy_m,
            address: s.address.clone().unwrap_or_default(),
            photos: s
                .photos
                .iter()
                .map(|sha| LocalPhoto {
                    sha256: sha.clone(),
                    size: 0,
                })
                .collect(),
            captured_at: s.captured_at.clone(),
            created_ms: crate::domain::timestamp::parse_time(&s.captured_at)
                .map_or(0.0, |t| (t.unix_timestamp_nanos() / 1_000_000) as f64),
            problem: None,
            server: Some(report),
        }
    }
}

/// An entry of the outbox: a report or check-in waiting for the server's acknowledgement, and when to try it next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The id of what it sends: the report's, the check-in's or the task action's (entries stored before this
    /// field had its name carry it as `report_id`).
    #[serde(alias = "report_id")]
    pub id: String,
    #[serde(default)]
    pub kind: OutboxKind,
    /// What to send, for kinds whose content lives only in the outbox (task actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
    pub queued_ms: f64,
    pub attempts: u32,
    pub next_attempt_ms: f64,
    /// 需处理: the server refused it (a task action: a real conflict, or a rule); kept, with everything the worker
    /// typed, until the worker redoes or drops it. Not sent while set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// When the server acknowledged it, for an entry kept after delivery (task actions and verdicts, whose content
    /// lives only here): if the server is later restored from a backup that lacks it, it is sent again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_ms: Option<f64>,
}

/// Why the server refused an outbox entry: its stable error code and its message (`中文 (English)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub code: String,
    pub message: String,
}

impl OutboxEntry {
    /// An entry to be sent as soon as possible.
    pub fn new(
        id: String,
        kind: OutboxKind,
        payload: Option<serde_json::Value>,
        queued_ms: f64,
    ) -> Self {
        OutboxEntry {
            id,
            kind,
            payload,
            queued_ms,
            attempts: 0,
            next_attempt_ms: 0.0,
            problem: None,
            sent_ms: None,
        }
    }

    /// The task action this entry carries, if it is one.
    pub fn task_action(&self) -> Option<crate::domain::task::TaskAction> {
        if self.kind != OutboxKind::TaskAction {
            return None;
        }
        serde_json::from_value(self.payload.clone()?).ok()
    }

    /// The verdict this entry carries, if it is one.
    pub fn verdict(&self) -> Option<crate::domain::verdict::VerdictSubmission> {
        if self.kind != OutboxKind::Verdict {
            return None;
        }
        serde_json::from_value(self.payload.clone()?).ok()
    }

    /// A verdict to be sent, waiting in the outbox.
    pub fn for_verdict(
        id: String,
        verdict: &crate::domain::verdict::VerdictSubmission,
        now_ms: f64,
    ) -> Self {
        Self::new(
            id,
            OutboxKind::Verdict,
            serde_json::to_value(verdict).ok(),
            now_ms,
        )
    }

    /// An entry of `kind` whose content (`value`) lives only in the outbox, to be sent as soon as possible.
    pub fn carrying<T: Serialize>(id: String, kind: OutboxKind, value: &T, now_ms: f64) -> Self {
        Self::new(id, kind, serde_json::to_value(value).ok(), now_ms)
    }

    /// What an entry of `kind` carries; `None` for an entry of another kind (or unreadable content).
    pub fn content<T: serde::de::DeserializeOwned>(&self, kind: OutboxKind) -> Option<T> {
        if self.kind != kind {
            return None;
        }
        serde_json::from_value(self.payload.clone()?).ok()
    }

    /// The concern an entry is about (a concern, an action on one or a verdict on one), if it is one of those.
    pub fn concern_id(&self) -> Option<String> {
        use crate::domain::concern::{ConcernAction, ConcernVerdict};
        match self.kind {
            OutboxKind::Concern => Some(self.id.clone()),
            OutboxKind::ConcernAction => self
                .content::<ConcernAction>(OutboxKind::ConcernAction)
                .map(|a| a.concern_id),
            OutboxKind::ConcernVerdict => self
                .content::<ConcernVerdict>(OutboxKind::ConcernVerdict)
                .map(|v| v.concern_id),
            _ => None,
        }
    }

    /// A task action to be sent, waiting in the outbox.
    pub fn for_action(id: String, action: &crate::domain::task::TaskAction, now_ms: f64) -> Self {
        Self::new(
            id,
            OutboxKind::TaskAction,
            serde_json::to_value(action).ok(),
            now_ms,
        )
    }
}

/// Where a check-in stands on the staff's phone (and, for riders, the confirmed visits the feed brings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckinState {
    /// 待同步: recorded on this phone, not confirmed yet.
    Pending,
    /// 已确认.
    Confirmed,
    /// 被拒: the server refused the pass (forged, expired, another station's).
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalCheckin {
    pub id: String,
    pub state: CheckinState,
    pub station_id: String,
    /// What was read from the pass (empty for visits learned from the server).
    pub rider_pass: String,
    pub scanned_at: String,
    pub created_ms: f64,
    pub problem: Option<String>,
    pub server: Option<crate::domain::Checkin>,
}

impl LocalCheckin {
    pub fn submission(&self) -> crate::domain::CheckinSubmission {
        crate::domain::CheckinSubmission {
            station_id: self.station_id.clone(),
            rider_pass: self.rider_pass.clone(),
            scanned_at: self.scanned_at.clone(),
        }
    }

    pub fn from_server(checkin: crate::domain::Checkin) -> LocalCheckin {
        LocalCheckin {
            id: checkin.id.clone(),
            state: CheckinState::Confirmed,
            station_id: checkin.station_id.clone(),
            rider_pass: String::new(),
            scanned_at: checkin.scanned_at.clone(),
            created_ms: crate::domain::timestamp::parse_time(&checkin.scanned_at)
                .map_or(0.0, |t| (t.unix_timestamp_nanos() / 1_000_000) as f64),
            problem: None,
            server: Some(checkin),
        }
    }
}

/// What an outbox entry sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    #[default]
    Report,
    Checkin,
    TaskAction,
    /// The reporter's 满意 / 不满意 on a resolved report.
    Verdict,
    /// A rider's concern (困难诉求 or 金点子): its content lives in the entry.
    Concern,
    /// Station staff's action on a concern.
    ConcernAction,
    /// The rider's 满意 / 不满意 on a closed concern.
    ConcernVerdict,
}
