//! The sync engine. Push: for each outbox entry that is due, its photos first (`HEAD` skips those the server
//! has), then the report `PUT`; the entry is deleted only in the same transaction that records the server's
//! acknowledgement. Pull: the change feed, each page applied together with its cursor.
use crate::domain::api_error::code;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::api::{self, ApiFailure};
use super::local::{CheckinState, LocalState, OutboxEntry, OutboxKind, Problem};
use super::store::{Store, StoreError};
use crate::domain::change::ChangePage;
use crate::domain::retry::{backoff_ms, verdict, Verdict};
use crate::domain::{Checkin, Report};

/// Progress of a run, for the queue's progress bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub items_total: u32,
    pub items_done: u32,
    pub bytes_total: u64,
    pub bytes_done: u64,
    /// The report being sent now.
    pub current: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub delivered: u32,
    pub needs_attention: u32,
    /// Entries left for a later run (network down, server busy, not due yet).
    pub waiting: u32,
    pub pulled: u32,
    /// The network was unreachable.
    pub offline: bool,
    /// The server refused the token: nothing more was tried.
    pub signed_out: bool,
    /// Another tab held the sync lock; this run did nothing.
    pub skipped: bool,
    /// When the earliest entry this run rescheduled is due again (its backoff): the next run goes then, not at the
    /// next 30-second tick, so a response lost after the server committed costs seconds.
    pub retry_at_ms: Option<f64>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

enum Step {
    Done(Box<Report>),
    /// The server's answer about a concern: the concern as it now is.
    Concern(Box<crate::domain::concern::Concern>),
    Retry(Option<u32>),
    Attention(Problem),
    SignedOut,
    Offline,
}

impl From<ApiFailure> for Step {
    fn from(f: ApiFailure) -> Step {
        match &f {
            ApiFailure::Network(_) => Step::Offline,
            ApiFailure::Decode(e) => Step::Retry(None).or_log(e),
            ApiFailure::Status {
                status,
                retry_after,
                ..
            } => match verdict(*status) {
                Verdict::Retry => Step::Retry(*retry_after),
                Verdict::SignedOut => Step::SignedOut,
                Verdict::NeedsAttention | Verdict::Done => Step::Attention(explain(&f, *status)),
            },
        }
    }
}

/// The server's refusal as a sentence `中文 (English)` for the 需处理 note: its per-field messages when it gave
/// them, else its message. Only strings from `details` are used: a conflict's `current` task is shown from the task
/// itself, never as JSON.
fn explain(f: &ApiFailure, status: u16) -> Problem {
    let ApiFailure::Status {
        body: Some(body), ..
    } = f
    else {
        return Problem {
            code: format!("http_{status}"),
            message: format!(
                "服务器拒绝了此项（HTTP {status}） (the server refused this, HTTP {status})"
            ),
        };
    };
    let fields: Vec<String> = body
        .error
        .details
        .as_ref()
        .and_then(|d| d.as_object())
        .map(|o| {
            o.iter()
                .filter_map(|(field, v)| {
                    let message = v.as_str()?;
                    // Messages of the shared rules are sentences in both languages; others name their field.
                    Some(if message.contains(" (") {
                        message.to_owned()
                    } else {
                        format!("{field}: {message}")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Problem {
        code: body.error.code.clone(),
        message: if fields.is_empty() {
            body.error.message.clone()
        } else {
            crate::i18n::join_messages(&fields.iter().map(String::as_str).collect::<Vec<_>>())
        },
    }
}

/// A problem found on the phone itself (code `local`).
fn local_problem(message: &str) -> Problem {
    Problem {
        code: "local".into(),
        message: message.into(),
    }
}

fn attention(message: &str) -> Step {
    Step::Attention(local_problem(message))
}

impl Step {
    fn or_log(self, why: &str) -> Step {
        leptos::logging::warn!("unexpected answer: {why}");
        self
    }
}

/// Makes sure the server has a photo: `HEAD`, and the bytes from this phone when it has not.
/// `Some(step)` when that failed and the item must stop here.
async fn upload_photo(
    store: &Store,
    token: &str,
    sha256: &str,
) -> Result<Option<Step>, StoreError> {
    let path = format!("/photos/{sha256}");
    Ok(match api::head(&path, Some(token)).await {
        Ok(200) => None,
        Ok(404) => {
            let Some(bytes) = store.photo(sha256).await? else {
                return Ok(Some(attention(
                    "照片已不在手机上 (photo missing on this phone)",
                )));
            };
            api::put_bytes(&path, &bytes, "image/jpeg", Some(token))
                .await
                .err()
                .map(Step::from)
        }
        Ok(401) => Some(Step::SignedOut),
        Ok(status) => Some(
            ApiFailure::Status {
                status,
                body: None,
                retry_after: None,
            }
            .into(),
        ),
        Err(f) => Some(f.into()),
    })
}

/// Sends one report: its photos, then the report itself; `sent` counts the photo bytes it sent.
async fn push_one(
    store: &Store,
    token: &str,
    report_id: &str,
    sent: &mut u64,
) -> Result<Step, StoreError> {
    let Some(local) = store.report(report_id).await? else {
        return Ok(attention("本地记录丢失 (local record missing)"));
    };
    let Some(submission) = local.submission() else {
        return Ok(attention("请选择类别 (choose a category)"));
    };
    for photo in &local.photos {
        if let Some(stop) = upload_photo(store, token, &photo.sha256).await? {
            return Ok(stop);
        }
        *sent += photo.size;
    }
    match api::put_json::<_, Report>(&format!("/reports/{report_id}"), &submission, Some(token))
        .await
    {
        Ok((_, report)) => Ok(Step::Done(Box::new(report))),
        // A photo the server lost between HEAD and PUT: upload again next time.
        Err(f) if f.code() == Some(code::PHOTO_MISSING) => Ok(Step::Retry(None)),
        Err(f) => Ok(f.into()),
    }
}

/// How many reports go out at once: on a slow link each waits mostly for round trips, so a few side by side drain
/// the queue several times faster; more would only share the phone's thin uplink.
const LANES: usize = 4;

/// Pushes every due outbox entry (every entry when `now` is asked for: the user pressed 立即同步), oldest first —
/// reports up to [`LANES`] at a time, anything else alone once the reports before it are settled — then pulls the
/// change feed.
pub async fn run(
    store: &Store,
    token: &str,
    force: bool,
    on_progress: &dyn Fn(&Progress),
) -> Result<Outcome, StoreError> {
    store.prune_sent(now_ms()).await?;
    let mut entries = store.outbox().await?;
    entries.sort_by(|a, b| a.queued_ms.total_cmp(&b.queued_ms));
    let reports = store.reports().await?;
    let size_of = |id: &str| {
        reports
            .iter()
            .find(|r| r.id == id)
            .map_or(0, |r| r.bytes_to_send())
    };
    let progress = RefCell::new(Progress {
        items_total: entries.len() as u32,
        bytes_total: entries.iter().map(|e| size_of(&e.id)).sum(),
        ..Progress::default()
    });
    on_progress(&progress.borrow());
    // With no network at all nothing is tried (and nothing shows 发送中 meanwhile): everything waits for it.
    let offline = !web_sys::window().is_none_or(|w| w.navigator().on_line());
    let mut tally = Tally {
        stop: offline,
        outcome: Outcome {
            offline,
            ..Outcome::default()
        },
        ..Tally::default()
    };
    let mut lanes: Vec<(String, OutboxEntry)> = Vec::new();
    for entry in entries {
        let key = entry
            .task_action()
            .map(|a| a.report_id)
            .or_else(|| entry.verdict().map(|v| v.report_id))
            .or_else(|| entry.concern_id())
            .unwrap_or_else(|| entry.id.clone());
        let is_report = entry.kind == OutboxKind::Report;
        if entry.problem.is_some() {
            // 需处理: waits for the user, not for the network; what was made on a refused concern waits with it.
            if entry.kind == OutboxKind::Concern {
                tally.held.insert(key);
            }
            continue;
        }
        let parked = is_report
            && reports
                .iter()
                .any(|r| r.id == entry.id && r.state == LocalState::NeedsAttention);
        if parked {
            tally.held.insert(key);
            continue;
        }
        if !is_report {
            // An action or verdict may be on a report still in the lanes: they settle first.
            push_reports(
                store,
                token,
                &mut lanes,
                &progress,
                on_progress,
                &size_of,
                &mut tally,
            )
            .await?;
        }
        if tally.stop || tally.held.contains(&key) || (!force && entry.next_attempt_ms > now_ms()) {
            tally.outcome.waiting += 1;
            tally.held.insert(key);
            continue;
        }
        if is_report {
            lanes.push((key, entry));
            if lanes.len() == LANES {
                push_reports(
                    store,
                    token,
                    &mut lanes,
                    &progress,
                    on_progress,
                    &size_of,
                    &mut tally,
                )
                .await?;
            }
            continue;
        }
        // A refused concern holds back what was made on it, as a refused report does.
        let holds = entry.kind == OutboxKind::Concern;
        let pushed = match entry.kind {
            OutboxKind::Checkin => push_checkin(store, token, entry).await?,
            OutboxKind::TaskAction => push_action(store, token, entry).await?,
            OutboxKind::Verdict => push_verdict(store, token, entry).await?,
            OutboxKind::Concern | OutboxKind::ConcernAction | OutboxKind::ConcernVerdict => {
                push_concern(store, token, entry).await?
            }
            OutboxKind::Report => unreachable!("reports go through the lanes"),
        };
        if tally.record(key, holds, pushed) {
            progress.borrow_mut().items_done += 1;
        }
        on_progress(&progress.borrow());
    }
    push_reports(
        store,
        token,
        &mut lanes,
        &progress,
        on_progress,
        &size_of,
        &mut tally,
    )
    .await?;
    let mut outcome = tally.outcome;
    if !outcome.offline && !outcome.signed_out {
        match pull(store, token).await {
            Ok(n) => outcome.pulled = n,
            Err(PullError::Api(f)) if f.is_unauthorized() => outcome.signed_out = true,
            Err(PullError::Api(ApiFailure::Network(_))) => outcome.offline = true,
            Err(PullError::Api(f)) => leptos::logging::warn!("pull failed: {f}"),
            Err(PullError::Store(e)) => return Err(e),
        }
    }
    Ok(outcome)
}

/// What a run has found so far: its outcome, the keys whose later entries must wait, and whether to stop trying.
#[derive(Default)]
struct Tally {
    outcome: Outcome,
    /// What waits behind an entry still waiting: a task's later actions (so a chain made offline — accept → note →
    /// resolve — reaches the server in order, each on the version its predecessor made), and actions on a report
    /// not yet delivered.
    held: HashSet<String>,
    /// The network is gone or the token refused: nothing more is tried this run.
    stop: bool,
}

impl Tally {
    /// Records what became of an entry; `true` when it is settled (the progress bar's items done). `holds`: a
    /// refusal of this entry holds back the later ones on the same key (a report's or a concern's).
    fn record(&mut self, key: String, holds: bool, pushed: Pushed) -> bool {
        match pushed {
            Pushed::Settled(true) => self.outcome.delivered += 1,
            Pushed::Settled(false) => {
                self.outcome.needs_attention += 1;
                // Actions on a refused report or concern wait with it; a refused action holds nothing back (a
                // note after it still applies, since notes commute).
                if holds {
                    self.held.insert(key);
                }
            }
            Pushed::Waiting {
                offline,
                signed_out,
                retry_at_ms,
            } => {
                let outcome = &mut self.outcome;
                outcome.waiting += 1;
                outcome.retry_at_ms = match (outcome.retry_at_ms, retry_at_ms) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                outcome.offline |= offline;
                outcome.signed_out |= signed_out;
                self.stop |= offline || signed_out;
                self.held.insert(key);
                return false;
            }
        }
        true
    }
}

/// Sends the reports in the lanes side by side and records each, in queue order, once all are settled.
async fn push_reports(
    store: &Store,
    token: &str,
    lanes: &mut Vec<(String, OutboxEntry)>,
    progress: &RefCell<Progress>,
    on_progress: &dyn Fn(&Progress),
    size_of: &dyn Fn(&str) -> u64,
    tally: &mut Tally,
) -> Result<(), StoreError> {
    let batch = std::mem::take(lanes);
    let keys: Vec<String> = batch.iter().map(|(key, _)| key.clone()).collect();
    let results = futures_util::future::join_all(batch.into_iter().map(|(_, entry)| {
        let size = size_of(&entry.id);
        push_report(store, token, entry, progress, on_progress, size)
    }))
    .await;
    for (key, pushed) in keys.into_iter().zip(results) {
        if tally.record(key, true, pushed?) {
            progress.borrow_mut().items_done += 1;
        }
    }
    on_progress(&progress.borrow());
    Ok(())
}

/// Sends one report (its photos, then the report) and records what became of it; `size` is what it costs to send.
async fn push_report(
    store: &Store,
    token: &str,
    entry: OutboxEntry,
    progress: &RefCell<Progress>,
    on_progress: &dyn Fn(&Progress),
    size: u64,
) -> Result<Pushed, StoreError> {
    let id = entry.id.clone();
    progress.borrow_mut().current = Some(id.clone());
    set_state(store, &id, LocalState::Sending, None).await?;
    on_progress(&progress.borrow());
    let mut sent = 0;
    let step = push_one(store, token, &id, &mut sent).await;
    {
        let mut p = progress.borrow_mut();
        if p.current.as_deref() == Some(id.as_str()) {
            p.current = None;
        }
        p.bytes_done += sent;
    }
    match step? {
        Step::Done(report) => {
            if let Some(mut local) = store.report(&id).await? {
                local.state = LocalState::Delivered;
                local.problem = None;
                local.merge_server(*report);
                store.acknowledge(&local).await?;
            }
            progress.borrow_mut().bytes_done += size.saturating_sub(sent);
            Ok(Pushed::Settled(true))
        }
        Step::Attention(problem) => {
            set_state(
                store,
                &id,
                LocalState::NeedsAttention,
                Some(problem.message),
            )
            .await?;
            Ok(Pushed::Settled(false))
        }
        step => {
            set_state(store, &id, LocalState::Queued, None).await?;
            waiting(store, entry, step).await
        }
    }
}

/// An entry the server did not settle: rescheduled with backoff (honouring `Retry-After`), or — signed out — left
/// as it is for when the user signs in again.
async fn waiting(store: &Store, entry: OutboxEntry, step: Step) -> Result<Pushed, StoreError> {
    let (offline, signed_out, retry_at_ms) = match step {
        Step::Offline => (true, false, Some(reschedule(store, entry, None).await?)),
        Step::Retry(retry_after) => (
            false,
            false,
            Some(reschedule(store, entry, retry_after).await?),
        ),
        Step::SignedOut => (false, true, None),
        Step::Done(_) | Step::Concern(_) | Step::Attention(_) => (false, false, None),
    };
    Ok(Pushed::Waiting {
        offline,
        signed_out,
        retry_at_ms,
    })
}

/// What became of one outbox entry in a run.
enum Pushed {
    /// The server answered for good: confirmed (`true`) or refused.
    Settled(bool),
    Waiting {
        offline: bool,
        signed_out: bool,
        /// When it is due again.
        retry_at_ms: Option<f64>,
    },
}

/// Sends one task action. Applied, it leaves the outbox together with the task as the server now has it. Refused
/// for good (`409`, `422`, `403` …), it stays in the outbox, parked as 需处理 with everything the worker typed, and
/// the task as it now is when the answer brought it: the worker redoes or drops it. Otherwise it waits.
async fn push_action(store: &Store, token: &str, entry: OutboxEntry) -> Result<Pushed, StoreError> {
    let Some(action) = entry.task_action() else {
        park(
            store,
            entry,
            None,
            local_problem("本地记录无法读取 (unreadable on this phone)"),
        )
        .await?;
        return Ok(Pushed::Settled(false));
    };
    let mut stopped = None;
    for sha in &action.photos {
        if let Some(step) = upload_photo(store, token, sha).await? {
            stopped = Some(step);
            break;
        }
    }
    let path = format!("/task-actions/{}", entry.id);
    let step = match stopped {
        Some(step) => step,
        None => match api::put_json::<_, Report>(&path, &action, Some(token)).await {
            Ok((_, report)) => Step::Done(Box::new(report)),
            // Sent again after a restore, on a task the restored server does not have yet (its reporter's phone
            // has not sent it again yet): it waits for it.
            Err(f) if entry.sent_ms.is_some() && f.code() == Some(code::NOT_FOUND) => {
                Step::Retry(None)
            }
            Err(f) => {
                // A version conflict brings the task as it now is: kept, so the worker sees what happened.
                let current = match &f {
                    ApiFailure::Status { body: Some(b), .. } => {
                        b.error.details.as_ref().and_then(|d| {
                            serde_json::from_value::<Report>(d["current"].clone()).ok()
                        })
                    }
                    _ => None,
                };
                match Step::from(f) {
                    Step::Attention(problem) => {
                        park(store, entry, current, problem).await?;
                        return Ok(Pushed::Settled(false));
                    }
                    step => step,
                }
            }
        },
    };
    match step {
        Step::Done(report) => {
            let mut task = store.report(&action.report_id).await?;
            if let Some(local) = task.as_mut() {
                local.merge_server(*report);
                local.problem = None;
            }
            store.settle_action(task.as_ref(), &entry, now_ms()).await?;
            Ok(Pushed::Settled(true))
        }
        Step::Attention(problem) => {
            park(store, entry, None, problem).await?;
            Ok(Pushed::Settled(false))
        }
        step => waiting(store, entry, step).await,
    }
}

/// Sends one verdict. Recorded (or a replay), it leaves the outbox with the report as the server now has it.
/// Refused for good — the same person rated this resolution differently from another phone, or the report is no
/// longer resolved — it leaves the outbox too: the report as the server has it says what stands, and the prompt
/// shows again if a verdict is still wanted. Otherwise it waits.
async fn push_verdict(
    store: &Store,
    token: &str,
    entry: OutboxEntry,
) -> Result<Pushed, StoreError> {
    let Some(verdict) = entry.verdict() else {
        store.drop_outbox_entry(&entry.id).await?;
        return Ok(Pushed::Settled(false));
    };
    let path = format!("/verdicts/{}", entry.id);
    let step = match api::put_json::<_, Report>(&path, &verdict, Some(token)).await {
        Ok((_, report)) => Step::Done(Box::new(report)),
        // Sent again after a restore, before the report it judges is back: it waits for it.
        Err(f) if entry.sent_ms.is_some() && f.code() == Some(code::NOT_FOUND) => Step::Retry(None),
        Err(f) => Step::from(f),
    };
    match step {
        Step::Done(report) => {
            let mut local = store.report(&verdict.report_id).await?;
            match local.as_mut() {
                Some(l) => l.merge_server(*report),
                None => local = Some(super::local::LocalReport::from_server(*report)),
            }
            store
                .settle_action(local.as_ref(), &entry, now_ms())
                .await?;
            Ok(Pushed::Settled(true))
        }
        Step::Attention(problem) => {
            leptos::logging::warn!("verdict {} refused: {}", entry.id, problem.message);
            store.drop_outbox_entry(&entry.id).await?;
            Ok(Pushed::Settled(false))
        }
        step => waiting(store, entry, step).await,
    }
}

/// Sends a concern (its photos first), an action on one or a verdict on one. Answered, it leaves the outbox with
/// the concern as the server now has it. Refused for good, a concern or an action stays, parked as 需处理 with
/// everything typed (the user redoes or drops it); a refused verdict leaves (the concern as the server has it says
/// what stands). Otherwise it waits.
async fn push_concern(
    store: &Store,
    token: &str,
    entry: OutboxEntry,
) -> Result<Pushed, StoreError> {
    use crate::domain::concern::{ConcernAction, ConcernSubmission, ConcernVerdict};
    let id = &entry.id;
    let sent = match entry.kind {
        OutboxKind::Concern => match entry.content::<ConcernSubmission>(OutboxKind::Concern) {
            Some(c) => Some(send_concern(store, token, &format!("/concerns/{id}"), &c).await?),
            None => None,
        },
        OutboxKind::ConcernAction => match entry.content::<ConcernAction>(entry.kind) {
            Some(a) => Some(put_concern(token, &format!("/concern-actions/{id}"), &a).await),
            None => None,
        },
        _ => match entry.content::<ConcernVerdict>(OutboxKind::ConcernVerdict) {
            Some(v) => Some(put_concern(token, &format!("/concern-verdicts/{id}"), &v).await),
            None => None,
        },
    };
    let Some(step) = sent else {
        // Unreadable on this phone: nothing to send.
        store.drop_outbox_entry(id).await?;
        return Ok(Pushed::Settled(false));
    };
    match step {
        Step::Concern(concern) => {
            store.settle_concern(&concern, &entry, now_ms()).await?;
            Ok(Pushed::Settled(true))
        }
        Step::Attention(problem) if entry.kind == OutboxKind::ConcernVerdict => {
            leptos::logging::warn!("verdict {} refused: {}", entry.id, problem.message);
            store.drop_outbox_entry(&entry.id).await?;
            Ok(Pushed::Settled(false))
        }
        Step::Attention(problem) => {
            park(store, entry, None, problem).await?;
            Ok(Pushed::Settled(false))
        }
        step => waiting(store, entry, step).await,
    }
}

/// A concern's photos, then the concern.
async fn send_concern(
    store: &Store,
    token: &str,
    path: &str,
    concern: &crate::domain::concern::ConcernSubmission,
) -> Result<Step, StoreError> {
    for sha in &concern.photos {
        if let Some(step) = upload_photo(store, token, sha).await? {
            return Ok(step);
        }
    }
    Ok(match put_concern(token, path, concern).await {
        // A photo the server lost between HEAD and PUT: upload again next time.
        Step::Attention(p) if p.code == code::PHOTO_MISSING => Step::Retry(None),
        step => step,
    })
}

/// One `PUT` whose answer is a concern.
async fn put_concern<B: serde::Serialize>(token: &str, path: &str, body: &B) -> Step {
    match api::put_json::<_, crate::domain::concern::Concern>(path, body, Some(token)).await {
        Ok((_, concern)) => Step::Concern(Box::new(concern)),
        Err(f) => Step::from(f),
    }
}

/// Parks a refused action in the outbox with its problem, and keeps the task as the server now has it.
async fn park(
    store: &Store,
    mut entry: OutboxEntry,
    current: Option<Report>,
    problem: Problem,
) -> Result<(), StoreError> {
    entry.problem = Some(problem);
    let mut task = match &current {
        Some(report) => store.report(&report.id).await?,
        None => None,
    };
    match (task.as_mut(), current) {
        (Some(local), Some(report)) => local.merge_server(report),
        (None, Some(report)) => task = Some(super::local::LocalReport::from_server(report)),
        _ => {}
    }
    store.park_action(task.as_ref(), &entry).await
}

/// Sends one check-in. Confirmed or refused, it leaves the outbox; otherwise it waits for a later run.
async fn push_checkin(
    store: &Store,
    token: &str,
    entry: OutboxEntry,
) -> Result<Pushed, StoreError> {
    let Some(mut local) = store.checkin(&entry.id).await? else {
        return Ok(Pushed::Settled(false));
    };
    let path = format!("/checkins/{}", local.id);
    let failure = match api::put_json::<_, Checkin>(&path, &local.submission(), Some(token)).await {
        Ok((_, checkin)) => {
            local.server = Some(checkin);
            local.state = CheckinState::Confirmed;
            local.problem = None;
            store.settle_checkin(&local).await?;
            return Ok(Pushed::Settled(true));
        }
        Err(f) => f,
    };
    match Step::from(failure) {
        // Confirmed before, sent again after a restore, and refused now (a typed code is checked only within a
        // minute): the server did confirm it once, so the phone keeps it confirmed.
        Step::Attention(problem) if local.state == CheckinState::Confirmed => {
            leptos::logging::warn!(
                "check-in {} not confirmed again: {}",
                local.id,
                problem.message
            );
            store.settle_checkin(&local).await?;
            Ok(Pushed::Settled(false))
        }
        Step::Attention(problem) => {
            local.state = CheckinState::Refused;
            local.problem = Some(problem.message);
            store.settle_checkin(&local).await?;
            Ok(Pushed::Settled(false))
        }
        step => waiting(store, entry, step).await,
    }
}

async fn set_state(
    store: &Store,
    id: &str,
    state: LocalState,
    problem: Option<String>,
) -> Result<(), StoreError> {
    if let Some(mut local) = store.report(id).await? {
        if local.state != state || local.problem != problem {
            local.state = state;
            local.problem = problem;
            store.set_report(&local).await?;
        }
    }
    Ok(())
}

/// Puts an entry off by its backoff; returns when it is due.
async fn reschedule(
    store: &Store,
    mut entry: OutboxEntry,
    retry_after: Option<u32>,
) -> Result<f64, StoreError> {
    entry.next_attempt_ms =
        now_ms() + backoff_ms(entry.attempts, retry_after, js_sys::Math::random());
    entry.attempts += 1;
    store.put_outbox_entry(&entry).await?;
    Ok(entry.next_attempt_ms)
}

pub enum PullError {
    Api(ApiFailure),
    Store(StoreError),
}

/// Pulls the change feed to its end; returns how many changes were applied.
/// A server in a new life (restored from a backup) may lack what this phone delivered: it goes again. The epoch
/// is kept only after the reports are queued, so an interrupted resend is done again, not lost.
async fn resend_after_restore(store: &Store, epoch: &str) -> Result<(), StoreError> {
    let known = store.epoch().await?;
    if known.as_deref() == Some(epoch) {
        return Ok(());
    }
    if known.is_some() {
        if let Some(session) = store.session().await? {
            let n = store.requeue_delivered(&session.user.id).await?;
            leptos::logging::log!("the server was restored from a backup: {n} items sent again");
        }
    }
    store.set_epoch(epoch).await
}

pub async fn pull(store: &Store, token: &str) -> Result<u32, PullError> {
    let mut cursor = store.cursor().await.map_err(PullError::Store)?;
    let mut applied = 0;
    for _ in 0..1000 {
        let path = match &cursor {
            Some(c) => format!("/changes?limit=200&cursor={c}"),
            None => "/changes?limit=200".to_owned(),
        };
        let page: ChangePage = api::get_json(&path, Some(token))
            .await
            .map_err(PullError::Api)?;
        if let Some(epoch) = &page.epoch {
            resend_after_restore(store, epoch)
                .await
                .map_err(PullError::Store)?;
        }
        store
            .apply_changes(&page.changes, &page.next_cursor)
            .await
            .map_err(PullError::Store)?;
        applied += page.changes.len() as u32;
        cursor = Some(page.next_cursor);
        if !page.has_more {
            break;
        }
    }
    Ok(applied)
}

thread_local! {
    static RUNNING_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Runs `job` unless a sync is under way in this tab or, through the Web Locks API, in another tab.
/// Where the browser has no Web Locks, only this tab's guard applies.
pub async fn exclusively<F>(job: F) -> Option<Outcome>
where
    F: std::future::Future<Output = Outcome> + 'static,
{
    if RUNNING_HERE.with(|r| r.replace(true)) {
        return None;
    }
    let result = with_web_lock(job).await;
    RUNNING_HERE.with(|r| r.set(false));
    result
}

async fn with_web_lock<F>(job: F) -> Option<Outcome>
where
    F: std::future::Future<Output = Outcome> + 'static,
{
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let Some(locks) = locks else {
        return Some(job.await);
    };
    let Ok(request) = js_sys::Reflect::get(&locks, &"request".into())
        .and_then(|f| f.dyn_into::<js_sys::Function>())
    else {
        return Some(job.await);
    };
    let slot = std::rc::Rc::new(std::cell::RefCell::new(None));
    let out = slot.clone();
    let mut job = Some(job);
    let callback =
        wasm_bindgen::closure::Closure::once_into_js(move |lock: JsValue| -> js_sys::Promise {
            match job.take() {
                Some(job) if !lock.is_null() => {
                    wasm_bindgen_futures::future_to_promise(async move {
                        *out.borrow_mut() = Some(job.await);
                        Ok(JsValue::UNDEFINED)
                    })
                }
                _ => js_sys::Promise::resolve(&JsValue::UNDEFINED),
            }
        });
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let promise = request
        .call3(&locks, &"suishoupai-sync".into(), &options, &callback)
        .ok()?;
    JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .ok()?;
    let result = slot.borrow_mut().take();
    result.or(Some(Outcome {
        skipped: true,
        ..Outcome::default()
    }))
}
