//! The outbox and the pull side in real headless Chromium: what is queued stays until acknowledged, an
//! acknowledgement and the outbox deletion happen together, refused items are kept, and a page of changes is
//! applied together with its cursor.
#![cfg(target_arch = "wasm32")]

use suishoupai::client::local::{LocalPhoto, LocalReport, LocalState, OutboxEntry, OutboxKind};
use suishoupai::client::store::{Store, MIGRATIONS};
use suishoupai::client::sync;
use suishoupai::domain::change::{Change, ChangeKind};
use suishoupai::domain::concern::{ConcernKind, ConcernSubmission, ConcernVerdict};
use suishoupai::domain::task::{ActionKind, TaskAction};
use suishoupai::domain::verdict::Verdict;
use suishoupai::domain::{Report, ReportStatus};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh_store(what: &str) -> Store {
    let name = format!("test-{what}-{}", js_sys::Math::random());
    Store::open_with(&name, MIGRATIONS).await.unwrap()
}

fn report(id: &str, state: LocalState, photo: &str) -> LocalReport {
    LocalReport {
        id: id.into(),
        state,
        category: Some("flooding".into()),
        urgent: false,
        description: "积水".into(),
        lat: Some(30.88),
        lon: Some(104.25),
        accuracy_m: Some(10.0),
        address: String::new(),
        photos: vec![LocalPhoto {
            sha256: photo.into(),
            size: 3,
        }],
        captured_at: "2026-11-26T08:00:00.000Z".into(),
        created_ms: 1.0,
        problem: None,
        server: None,
    }
}

fn entry(id: &str) -> OutboxEntry {
    OutboxEntry::new(id.into(), OutboxKind::Report, None, 1.0)
}

fn server_report(id: &str, version: i64, status: ReportStatus) -> Report {
    let local = report(id, LocalState::Delivered, &"a".repeat(64));
    Report {
        id: id.into(),
        submitted: local.submission().unwrap(),
        version,
        reporter_name: "小李".into(),
        grid_id: Some("g".into()),
        status,
        level: 1,
        received_at: "2026-11-26T08:00:01.000Z".into(),
        updated_at: "2026-11-26T08:00:01.000Z".into(),
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

#[wasm_bindgen_test]
async fn a_draft_becomes_queued_then_delivered_and_only_then_leaves_the_outbox() {
    let store = fresh_store("transitions").await;
    let sha = "a".repeat(64);
    let draft = report("r1", LocalState::Draft, &sha);
    store
        .save_report(&draft, &[(sha.clone(), vec![1, 2, 3])])
        .await
        .unwrap();
    assert_eq!(
        store.outbox_len().await.unwrap(),
        0,
        "a draft is not in the outbox"
    );
    assert_eq!(store.photo(&sha).await.unwrap(), Some(vec![1, 2, 3]));

    let mut queued = draft.clone();
    queued.state = LocalState::Queued;
    store.queue_report(&queued, &entry("r1")).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert!(
        !store.delete_draft("r1").await.unwrap(),
        "a queued report is not a draft: it stays"
    );
    assert_eq!(
        store.report("r1").await.unwrap().unwrap().state,
        LocalState::Queued
    );

    let mut delivered = queued.clone();
    delivered.state = LocalState::Delivered;
    delivered.server = Some(server_report("r1", 1, ReportStatus::Received));
    store.acknowledge(&delivered).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(store.report("r1").await.unwrap(), Some(delivered));
    store.close();
}

#[wasm_bindgen_test]
async fn deleting_a_draft_keeps_photos_another_report_uses() {
    let store = fresh_store("drafts").await;
    let shared = "b".repeat(64);
    store
        .save_report(
            &report("d1", LocalState::Draft, &shared),
            &[(shared.clone(), vec![9])],
        )
        .await
        .unwrap();
    store
        .save_report(&report("q1", LocalState::Queued, &shared), &[])
        .await
        .unwrap();
    assert!(store.delete_draft("d1").await.unwrap());
    assert_eq!(store.report("d1").await.unwrap(), None);
    assert_eq!(
        store.photo(&shared).await.unwrap(),
        Some(vec![9]),
        "q1 still needs it"
    );
    store.close();
}

#[wasm_bindgen_test]
async fn an_item_the_server_refuses_is_kept_with_its_reason() {
    let store = fresh_store("refused").await;
    let sha = "c".repeat(64);
    store
        .save_report(
            &report("r2", LocalState::Queued, &sha),
            &[(sha.clone(), vec![0xFF, 0xD8, 0xFF])],
        )
        .await
        .unwrap();
    store
        .queue_report(&report("r2", LocalState::Queued, &sha), &entry("r2"))
        .await
        .unwrap();
    // The server takes the photo and refuses the report, naming the field.
    stub_fetch(
        "(url, method) => method === 'HEAD' ? new Response(null, {status: 200})
           : url.includes('/reports/') ? new Response(JSON.stringify({error: {code: 'invalid_input',
                 message: '输入有误 (invalid input)', details: {category: 'unknown category'}}}),
                 {status: 422, headers: {'Content-Type': 'application/json'}})
           : new Response(null, {status: 404})",
    );
    let outcome = sync::run(&store, &"ab".repeat(32), true, &|_| {})
        .await
        .unwrap();
    assert_eq!((outcome.delivered, outcome.needs_attention), (0, 1));
    assert_eq!(
        store.outbox_len().await.unwrap(),
        1,
        "nothing unacknowledged is deleted"
    );
    let kept = store.report("r2").await.unwrap().unwrap();
    assert_eq!(kept.state, LocalState::NeedsAttention);
    assert_eq!(
        kept.problem.as_deref(),
        Some("category: unknown category (category: unknown category)"),
        "the reason, with its field"
    );
    assert_eq!(
        store.photo(&sha).await.unwrap(),
        Some(vec![0xFF, 0xD8, 0xFF])
    );

    // A second run leaves an item that needs attention alone, and still deletes nothing.
    sync::run(&store, &"ab".repeat(32), true, &|_| {})
        .await
        .unwrap();
    restore_fetch();
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    store.close();
}

#[wasm_bindgen_test]
async fn a_page_of_changes_and_its_cursor_are_stored_together() {
    let store = fresh_store("changes").await;
    assert_eq!(store.cursor().await.unwrap(), None);
    let mut local = report("r3", LocalState::Delivered, &"d".repeat(64));
    local.server = Some(server_report("r3", 1, ReportStatus::Received));
    store.set_report(&local).await.unwrap();

    let accepted = server_report("r3", 2, ReportStatus::Accepted);
    let unknown = server_report("r4", 1, ReportStatus::Received);
    let page = vec![
        Change {
            kind: ChangeKind::Report,
            id: "r3".into(),
            data: serde_json::to_value(&accepted).unwrap(),
        },
        Change {
            kind: ChangeKind::Report,
            id: "r4".into(),
            data: serde_json::to_value(&unknown).unwrap(),
        },
    ];
    store.apply_changes(&page, "c42").await.unwrap();
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("c42"));
    let r3 = store.report("r3").await.unwrap().unwrap();
    assert_eq!(r3.server.unwrap().status, ReportStatus::Accepted);
    let r4 = store
        .report("r4")
        .await
        .unwrap()
        .expect("a report known only to the server is restored");
    assert_eq!(r4.state, LocalState::Delivered);

    // An older version arriving late changes nothing.
    let stale = vec![Change {
        kind: ChangeKind::Report,
        id: "r3".into(),
        data: serde_json::to_value(server_report("r3", 1, ReportStatus::Received)).unwrap(),
    }];
    store.apply_changes(&stale, "c43").await.unwrap();
    assert_eq!(
        store
            .report("r3")
            .await
            .unwrap()
            .unwrap()
            .server
            .unwrap()
            .version,
        2
    );
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("c43"));
    store.close();
}

/// Replaces `window.fetch` with a stand-in server: `answer` is JS that gets `(url, method, body)` and returns a
/// `Response` (or throws, for a network failure). Returns a restore function's source.
fn stub_fetch(answer: &str) {
    let install = format!(
        "if (!window.__realFetch) window.__realFetch = window.fetch;
         window.__calls = [];
         window.fetch = async (input, init) => {{
           const url = typeof input === 'string' ? input : input.url;
           const method = (init && init.method) || (input && input.method) || 'GET';
           window.__calls.push(method + ' ' + url);
           const body = init && init.body !== undefined ? init.body
             : (typeof input !== 'string' && method !== 'GET' && method !== 'HEAD' ? await input.clone().text() : undefined);
           return ({answer})(url, method, body);
         }};"
    );
    js_sys::Function::new_no_args(&install)
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}

fn restore_fetch() {
    js_sys::Function::new_no_args("if (window.__realFetch) window.fetch = window.__realFetch;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}

fn calls() -> Vec<String> {
    let v = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__calls".into()).unwrap();
    js_sys::Array::from(&v)
        .iter()
        .filter_map(|c| c.as_string())
        .collect()
}

async fn queued_store(what: &str) -> Store {
    let store = fresh_store(what).await;
    let sha = "e".repeat(64);
    let r = report("r9", LocalState::Queued, &sha);
    store
        .save_report(&r, &[(sha, vec![0xFF, 0xD8, 0xFF, 0x00])])
        .await
        .unwrap();
    store.queue_report(&r, &entry("r9")).await.unwrap();
    store
}

const TOKEN_HEX: &str = "abababababababababababababababababababababababababababababababab";

#[wasm_bindgen_test]
async fn a_429_schedules_the_next_attempt_no_sooner_than_retry_after() {
    let store = queued_store("retry-after").await;
    stub_fetch(
        "(url, method) => method === 'HEAD'
           ? new Response(null, {status: 200})
           : new Response(JSON.stringify({error: {code: 'rate_limited', message: 'slow down'}}),
                          {status: 429, headers: {'Retry-After': '120', 'Content-Type': 'application/json'}})",
    );
    let before = js_sys::Date::now();
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    restore_fetch();
    assert_eq!((outcome.delivered, outcome.waiting), (0, 1));
    let e = store
        .outbox()
        .await
        .unwrap()
        .pop()
        .expect("the entry stays");
    assert_eq!(e.attempts, 1);
    assert_eq!(outcome.retry_at_ms, Some(e.next_attempt_ms));
    assert!(
        e.next_attempt_ms >= before + 120_000.0,
        "{} < {}",
        e.next_attempt_ms,
        before + 120_000.0
    );
    assert_eq!(
        store.report("r9").await.unwrap().unwrap().state,
        LocalState::Queued
    );

    // Not due yet: a scheduled run leaves it alone — no request for it at all (only the feed is pulled), the
    // network not taken for down, the attempt not counted.
    let attempts = store.outbox().await.unwrap()[0].attempts;
    stub_fetch(
        "(url) => { if (!url.includes('/changes')) throw new TypeError('must not be called');
                    return new Response(JSON.stringify({changes: [], next_cursor: 'c', has_more: false}),
                                        {status: 200, headers: {'Content-Type': 'application/json'}}); }",
    );
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    let sent = calls();
    restore_fetch();
    assert_eq!(outcome.waiting, 1);
    assert!(!outcome.offline);
    assert_eq!(outcome.retry_at_ms, None, "nothing was put off in this run");
    assert!(sent.iter().all(|c| c.contains("/changes")), "{sent:?}");
    assert_eq!(store.outbox().await.unwrap()[0].attempts, attempts);
    store.close();
}

#[wasm_bindgen_test]
async fn a_network_failure_keeps_the_item_and_backs_off_exponentially() {
    let store = queued_store("offline").await;
    stub_fetch("() => { throw new TypeError('Failed to fetch'); }");
    let mut waits = Vec::new();
    for _ in 0..3 {
        let before = js_sys::Date::now();
        let outcome = sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
        assert!(outcome.offline);
        let e = store.outbox().await.unwrap().pop().expect("kept");
        // The next run is planned for when it is due, not left to the next tick.
        assert_eq!(outcome.retry_at_ms, Some(e.next_attempt_ms));
        waits.push(e.next_attempt_ms - before);
    }
    restore_fetch();
    // 2 s, 4 s, 8 s steps, each jittered between half and all of its step.
    assert!((1_000.0..=2_100.0).contains(&waits[0]), "{waits:?}");
    assert!((2_000.0..=4_100.0).contains(&waits[1]), "{waits:?}");
    assert!((4_000.0..=8_100.0).contains(&waits[2]), "{waits:?}");
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    store.close();
}

#[wasm_bindgen_test]
async fn photos_go_first_and_are_skipped_when_the_server_has_them() {
    let store = queued_store("order").await;
    let report = serde_json::to_string(&server_report("r9", 1, ReportStatus::Received)).unwrap();
    stub_fetch(&format!(
        "(url, method) => {{
           if (method === 'HEAD') return new Response(null, {{status: 404}});
           if (url.includes('/photos/')) return new Response(null, {{status: 201}});
           if (url.includes('/reports/')) return new Response({report:?}, {{status: 201, headers: {{'Content-Type': 'application/json'}}}});
           return new Response('{{\"changes\":[],\"next_cursor\":\"c1\",\"has_more\":false}}', {{status: 200, headers: {{'Content-Type': 'application/json'}}}});
         }}"
    ));
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    let seen = calls();
    restore_fetch();
    assert_eq!(outcome.delivered, 1);
    let kinds: Vec<&str> = seen
        .iter()
        .map(|c| {
            if c.starts_with("HEAD") {
                "head"
            } else if c.contains("/photos/") {
                "photo"
            } else if c.contains("/reports/") {
                "report"
            } else {
                "pull"
            }
        })
        .collect();
    assert_eq!(kinds, ["head", "photo", "report", "pull"]);
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    assert_eq!(
        store.report("r9").await.unwrap().unwrap().state,
        LocalState::Delivered
    );
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("c1"));
    store.close();
}

#[wasm_bindgen_test]
async fn reports_go_out_four_at_a_time_and_each_is_delivered_once() {
    let store = fresh_store("lanes").await;
    for i in 0..6 {
        let (id, sha) = (format!("r{i}"), format!("{i}").repeat(64));
        let r = report(&id, LocalState::Queued, &sha);
        store
            .save_report(&r, &[(sha, vec![0xFF, 0xD8, 0xFF, i])])
            .await
            .unwrap();
        store.queue_report(&r, &entry(&id)).await.unwrap();
    }
    let report = serde_json::to_string(&server_report("r0", 1, ReportStatus::Received)).unwrap();
    // Each report's PUT takes 30 ms, as over a slow link; the stand-in counts how many are in flight at once.
    stub_fetch(&format!(
        "(url, method) => {{
           if (method === 'HEAD') return new Response(null, {{status: 200}});
           if (url.includes('/reports/')) {{
             window.__inFlight = (window.__inFlight || 0) + 1;
             window.__mostInFlight = Math.max(window.__mostInFlight || 0, window.__inFlight);
             const id = url.split('/reports/')[1];
             return new Promise((answer) => setTimeout(() => {{
               window.__inFlight -= 1;
               const body = JSON.stringify(Object.assign(JSON.parse({report:?}), {{id}}));
               answer(new Response(body, {{status: 201, headers: {{'Content-Type': 'application/json'}}}}));
             }}, 30));
           }}
           return new Response('{{\"changes\":[],\"next_cursor\":\"c1\",\"has_more\":false}}', {{status: 200, headers: {{'Content-Type': 'application/json'}}}});
         }}"
    ));
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    let seen = calls();
    let most = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__mostInFlight".into())
        .unwrap()
        .as_f64();
    restore_fetch();
    assert_eq!(outcome.delivered, 6);
    assert_eq!(most, Some(4.0), "reports in flight at once");
    let puts = seen
        .iter()
        .filter(|c| c.starts_with("PUT") && c.contains("/reports/"));
    assert_eq!(puts.count(), 6, "each report sent once: {seen:?}");
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    for i in 0..6 {
        let local = store.report(&format!("r{i}")).await.unwrap().unwrap();
        assert_eq!(local.state, LocalState::Delivered, "r{i}");
    }
    store.close();
}

#[wasm_bindgen_test]
async fn a_409_needs_attention_is_kept_and_is_not_retried() {
    let store = queued_store("conflict").await;
    stub_fetch(
        "(url, method) => method === 'HEAD' ? new Response(null, {status: 200})
           : new Response(JSON.stringify({error: {code: 'id_conflict', message: '此编号已用于另一份内容不同的上报'}}),
                          {status: 409, headers: {'Content-Type': 'application/json'}})",
    );
    sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    let kept = store.report("r9").await.unwrap().unwrap();
    assert_eq!(kept.state, LocalState::NeedsAttention);
    assert_eq!(
        kept.problem.as_deref(),
        Some("此编号已用于另一份内容不同的上报")
    );
    assert!(
        calls().iter().any(|c| c.contains("/reports/")),
        "it was sent once"
    );
    // A second run where the photo is there and the report would go through: it is not even tried.
    stub_fetch(
        "(url, method) => method === 'HEAD' ? new Response(null, {status: 200})
           : url.includes('/changes') ? new Response(JSON.stringify({changes: [], next_cursor: 'c', has_more: false}),
                                                    {status: 200, headers: {'Content-Type': 'application/json'}})
           : new Response(null, {status: 500})",
    );
    sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    let tried: Vec<String> = calls()
        .into_iter()
        .filter(|c| c.contains("/reports/") || c.contains("/photos/"))
        .collect();
    restore_fetch();
    assert!(tried.is_empty(), "not retried: {tried:?}");
    let kept = store.report("r9").await.unwrap().unwrap();
    assert_eq!(
        kept.state,
        LocalState::NeedsAttention,
        "still needs attention"
    );
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    store.close();
}

#[wasm_bindgen_test]
async fn a_revoked_token_pauses_the_queue_and_loses_nothing() {
    let store = queued_store("revoked").await;
    stub_fetch(
        "() => new Response(JSON.stringify({error: {code: 'unauthorized', message: 'revoked'}}),
                            {status: 401, headers: {'Content-Type': 'application/json'}})",
    );
    let outcome = sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    restore_fetch();
    assert!(outcome.signed_out);
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    assert_eq!(
        store.report("r9").await.unwrap().unwrap().state,
        LocalState::Queued
    );
    store.close();
}

/// A delivered task (version 1, received) on a worker's phone, with `actions` queued on it in this order.
async fn task_with_actions(what: &str, actions: &[TaskAction]) -> Store {
    let store = fresh_store(what).await;
    let mut task = report("t1", LocalState::Delivered, &"f".repeat(64));
    task.server = Some(server_report("t1", 1, ReportStatus::Received));
    store.set_report(&task).await.unwrap();
    for (i, action) in actions.iter().enumerate() {
        let entry = OutboxEntry::for_action(
            format!("0190000{i}-0000-7000-8000-000000000000"),
            action,
            10.0 + i as f64,
        );
        store.put_outbox_entry(&entry).await.unwrap();
    }
    store
}

fn task_action(kind: ActionKind, expected_version: i64, text: &str) -> TaskAction {
    TaskAction {
        report_id: "t1".into(),
        kind,
        note: (kind != ActionKind::Escalate).then(|| text.to_owned()),
        photos: vec![],
        reason: (kind == ActionKind::Escalate).then(|| text.to_owned()),
        duplicate_of: None,
        department_id: None,
        deadline: None,
        expected_version,
    }
}

/// A stand-in for the server's task actions: the task is at `version`; an action on another version conflicts
/// (a note never does), else it applies and the version grows. `window.__applied` lists the kinds applied.
fn stub_task_server(version: i64) {
    let template =
        serde_json::to_string(&server_report("t1", version, ReportStatus::Accepted)).unwrap();
    let install = format!(
        "window.__taskServer = (() => {{
           window.__applied = [];
           let version = {version};
           const task = () => Object.assign({template}, {{version, timeline: [{{at: '2026-11-26T10:42:00.000Z',
             status: 'accepted', by: '王芳', kind: 'accept'}}]}});
           const json = (status, body) => new Response(JSON.stringify(body),
             {{status, headers: {{'Content-Type': 'application/json'}}}});
           return (url, method, body) => {{
             if (method === 'GET') return json(200, {{changes: [], next_cursor: 'c0', has_more: false}});
             const a = JSON.parse(body);
             if (a.kind !== 'note' && a.expected_version !== version) {{
               return json(409, {{error: {{code: 'version_conflict', message: '任务已被更新 (the task changed)',
                 details: {{current: task()}}}}}});
             }}
             version += 1;
             window.__applied.push(a.kind);
             return json(201, task());
           }};
         }})();"
    );
    js_sys::Function::new_no_args(&install)
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
    stub_fetch("(url, method, body) => window.__taskServer(url, method, body)");
}

fn applied() -> Vec<String> {
    let v = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__applied".into()).unwrap();
    js_sys::Array::from(&v)
        .iter()
        .filter_map(|c| c.as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn actions_chained_offline_on_one_task_all_reach_the_server_in_order() {
    // Offline: accept (made on version 1), a note, an escalation, a resolution — each on its predecessor's version.
    let store = task_with_actions(
        "chain",
        &[
            task_action(ActionKind::Accept, 1, "接单"),
            task_action(ActionKind::Note, 2, "到现场了"),
            task_action(ActionKind::Escalate, 3, "涉及燃气管线"),
            task_action(ActionKind::Resolve, 4, "已修复"),
        ],
    )
    .await;
    stub_task_server(1);
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    let kinds = applied();
    restore_fetch();
    assert_eq!(kinds, ["accept", "note", "escalate", "resolve"]);
    assert_eq!(outcome.delivered, 4);
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    let task = store.report("t1").await.unwrap().unwrap();
    assert_eq!(task.server.unwrap().version, 5);
    assert_eq!(task.problem, None);
    store.close();
}

#[wasm_bindgen_test]
async fn a_real_conflict_keeps_the_action_and_its_text_and_a_note_still_goes_through() {
    // Someone else changed the task meanwhile (it is at version 3, not 1).
    let store = task_with_actions(
        "conflict-chain",
        &[
            task_action(ActionKind::Escalate, 1, "需要部门联处"),
            task_action(ActionKind::Note, 2, "现场照片已拍"),
        ],
    )
    .await;
    stub_task_server(3);
    sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    assert_eq!(applied(), ["note"], "the note commutes");
    let kept = store.outbox().await.unwrap();
    assert_eq!(kept.len(), 1, "the escalation stays on the phone");
    let problem = kept[0].problem.clone().expect("parked as 需处理");
    assert_eq!(problem.code, "version_conflict");
    assert!(
        !problem.message.contains('{'),
        "a sentence, not JSON: {}",
        problem.message
    );
    let action = kept[0].task_action().unwrap();
    assert_eq!(
        action.reason.as_deref(),
        Some("需要部门联处"),
        "what the worker typed is kept"
    );
    let task = store.report("t1").await.unwrap().unwrap();
    assert_eq!(
        task.server.as_ref().unwrap().version,
        4,
        "the task as it now is"
    );
    assert_eq!(
        task.server.unwrap().timeline.last().unwrap().by.as_deref(),
        Some("王芳")
    );
    // A parked action is not sent again until the worker redoes or drops it.
    let sent = || {
        calls()
            .into_iter()
            .filter(|c| c.contains("/task-actions/"))
            .count()
    };
    let before = sent();
    sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    assert_eq!(sent(), before, "nothing sent: {:?}", calls());
    restore_fetch();
    assert_eq!(store.outbox_len().await.unwrap(), 1);
    store.close();
}

#[wasm_bindgen_test]
async fn a_task_waits_behind_its_earlier_action_while_that_one_is_retried() {
    let store = task_with_actions(
        "held",
        &[
            task_action(ActionKind::Accept, 1, "接单"),
            task_action(ActionKind::Escalate, 2, "升级"),
        ],
    )
    .await;
    stub_fetch("() => new Response(null, {status: 503, headers: {'Retry-After': '1'}})");
    let outcome = sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    let sent: Vec<String> = calls()
        .into_iter()
        .filter(|c| c.contains("/task-actions/"))
        .collect();
    restore_fetch();
    assert_eq!(sent.len(), 1, "only the first action was tried: {sent:?}");
    assert_eq!((outcome.delivered, outcome.waiting), (0, 2));
    assert!(store
        .outbox()
        .await
        .unwrap()
        .iter()
        .all(|e| e.problem.is_none()));
    store.close();
}

#[wasm_bindgen_test]
async fn entries_stored_before_the_rename_are_still_read() {
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;
    use suishoupai::client::store::OUTBOX;
    // An entry as an older version of the app stored it (its id under `report_id`), written straight into the store.
    let name = format!("test-rename-{}", js_sys::Math::random());
    Store::open_with(&name, MIGRATIONS).await.unwrap().close();
    let db = indexed_db_futures::database::Database::open(name.as_str())
        .await
        .unwrap();
    let tx = db
        .transaction(OUTBOX)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let old = js_sys::JSON::parse(
        r#"{"report_id": "r-old", "queued_ms": 5, "attempts": 2, "next_attempt_ms": 0}"#,
    )
    .unwrap();
    tx.object_store(OUTBOX)
        .unwrap()
        .put(old)
        .with_key("r-old")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    let entries = store.outbox().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].id.as_str(), entries[0].attempts, entries[0].kind),
        ("r-old", 2, OutboxKind::Report)
    );
    store.close();
}

#[wasm_bindgen_test]
async fn delivered_actions_are_kept_and_sent_again_in_order_to_a_restored_server() {
    let store = task_with_actions(
        "resend",
        &[
            task_action(ActionKind::Accept, 1, "接单"),
            task_action(ActionKind::Note, 2, "到现场了"),
        ],
    )
    .await;
    stub_task_server(1);
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    restore_fetch();
    assert_eq!(outcome.delivered, 2);
    assert_eq!(store.outbox_len().await.unwrap(), 0);

    // The server comes back from a backup taken before both: the worker's phone (not the task's reporter) puts
    // back the two actions, in the order they were made, and not the task.
    assert_eq!(store.requeue_delivered("worker").await.unwrap(), 2);
    let mut back = store.outbox().await.unwrap();
    back.sort_by(|a, b| a.queued_ms.total_cmp(&b.queued_ms));
    let kinds: Vec<_> = back.iter().map(|e| e.task_action().unwrap().kind).collect();
    assert_eq!(kinds, [ActionKind::Accept, ActionKind::Note]);
    assert!(back
        .iter()
        .all(|e| e.sent_ms.is_some() && e.problem.is_none()));

    // The restored server lacks the task too, until its reporter's phone sends it again: the actions wait.
    stub_fetch(
        "(url, method) => method === 'GET'
           ? new Response(JSON.stringify({changes: [], next_cursor: 'c0', has_more: false}),
               {status: 200, headers: {'Content-Type': 'application/json'}})
           : new Response(JSON.stringify({error: {code: 'not_found', message: '没有这个资源'}}),
               {status: 404, headers: {'Content-Type': 'application/json'}})",
    );
    let outcome = sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    restore_fetch();
    assert_eq!(outcome.delivered, 0);
    assert_eq!(outcome.needs_attention, 0);
    let waiting = store.outbox().await.unwrap();
    assert_eq!(waiting.len(), 2);
    assert!(waiting.iter().all(|e| e.problem.is_none()));

    // Once the task is back (at version 1), both apply again, in order, once.
    stub_task_server(1);
    let outcome = sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    let kinds = applied();
    restore_fetch();
    assert_eq!(kinds, ["accept", "note"]);
    assert_eq!(outcome.delivered, 2);
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    // Kept again as sent, for the next restore.
    assert_eq!(store.requeue_delivered("worker").await.unwrap(), 2);
    store.close();
}

#[wasm_bindgen_test]
async fn a_sent_action_is_kept_thirty_days_and_then_forgotten() {
    use suishoupai::client::store::KEEP_SENT_MS;
    let store = fresh_store("sent-kept").await;
    let old = OutboxEntry::for_action(
        "01900000-0000-7000-8000-00000000000a".into(),
        &task_action(ActionKind::Note, 1, "早先的备注"),
        1.0,
    );
    store.settle_action(None, &old, 1_000.0).await.unwrap();
    let new = OutboxEntry::for_action(
        "01900000-0000-7000-8000-00000000000b".into(),
        &task_action(ActionKind::Note, 1, "新的备注"),
        2.0,
    );
    // Pruned one moment within the window: both kept.
    store.settle_action(None, &new, 2_000.0).await.unwrap();
    store.prune_sent(1_000.0 + KEEP_SENT_MS).await.unwrap();
    assert_eq!(store.requeue_delivered("worker").await.unwrap(), 2);
    for e in store.outbox().await.unwrap() {
        store.drop_outbox_entry(&e.id).await.unwrap();
    }
    // One moment past it: the older goes.
    store.settle_action(None, &old, 1_000.0).await.unwrap();
    store.settle_action(None, &new, 2_000.0).await.unwrap();
    store
        .prune_sent(1_000.0 + KEEP_SENT_MS + 1.0)
        .await
        .unwrap();
    assert_eq!(store.requeue_delivered("worker").await.unwrap(), 1);
    assert_eq!(
        store.outbox().await.unwrap()[0].id,
        "01900000-0000-7000-8000-00000000000b"
    );
    store.close();
}

fn concern_submission() -> ConcernSubmission {
    ConcernSubmission {
        kind: ConcernKind::Difficulty,
        topic: "entry".into(),
        text: "锦绣花园不让骑手进门".into(),
        station_id: "s1".into(),
        photos: vec!["c".repeat(64)],
        lat: None,
        lon: None,
        rider_pass: None,
    }
}

/// A rider's concern and their verdict on it, both made offline (the verdict after the concern).
async fn concern_and_verdict(what: &str) -> Store {
    let store = fresh_store(what).await;
    let concern = OutboxEntry::carrying(
        "k1".into(),
        OutboxKind::Concern,
        &concern_submission(),
        10.0,
    );
    store
        .queue_with_photos(&concern, &[("c".repeat(64), vec![1, 2, 3])])
        .await
        .unwrap();
    let verdict = ConcernVerdict {
        concern_id: "k1".into(),
        verdict: Verdict::Satisfied,
        comment: None,
    };
    let entry = OutboxEntry::carrying("v1".into(), OutboxKind::ConcernVerdict, &verdict, 11.0);
    store.put_outbox_entry(&entry).await.unwrap();
    store
}

/// The server's concern `k1` at `version`, as JSON.
fn server_concern(version: i64) -> String {
    format!(
        r#"{{"id":"k1","kind":"difficulty","topic":"entry","text":"锦绣花园不让骑手进门","station_id":"s1",
            "version":{version},"status":"received","rider_name":"小李","received_at":"2026-12-03T08:00:00Z",
            "updated_at":"2026-12-03T08:00:00Z","reply_deadline":"2026-12-05T08:00:00Z","timeline":[]}}"#
    )
}

#[wasm_bindgen_test]
async fn a_concern_goes_with_its_photo_first_then_its_verdict_and_the_phone_keeps_the_answer() {
    let store = concern_and_verdict("concern-order").await;
    let answer = format!(
        "(url, method) => {{
           const json = (status, body) => new Response(body, {{status, headers: {{'Content-Type': 'application/json'}}}});
           if (method === 'HEAD') return new Response(null, {{status: 404}});
           if (url.includes('/photos/')) return new Response(null, {{status: 201}});
           if (method === 'GET') return json(200, JSON.stringify({{changes: [], next_cursor: 'c0', has_more: false}}));
           return json(201, `{}`);
         }}",
        server_concern(2)
    );
    stub_fetch(&answer);
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    // Each call as its method and path.
    let sent: Vec<String> = calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET"))
        .map(|c| {
            let (method, url) = c.split_once(' ').unwrap();
            format!("{method} {}", url.split("/api/v1").nth(1).unwrap_or(url))
        })
        .collect();
    restore_fetch();
    let photo = format!("/photos/{}", "c".repeat(64));
    assert_eq!(
        sent,
        [
            format!("HEAD {photo}"),
            format!("PUT {photo}"),
            "PUT /concerns/k1".into(),
            "PUT /concern-verdicts/v1".into(),
        ]
    );
    assert_eq!(outcome.delivered, 2);
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    let kept = store.concerns().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].version, 2);
    store.close();
}

#[wasm_bindgen_test]
async fn a_refused_concern_is_kept_with_its_reason_and_its_verdict_waits_behind_it() {
    let store = concern_and_verdict("concern-refused").await;
    stub_fetch(
        "(url, method) => {
           if (method === 'HEAD') return new Response(null, {status: 200});
           if (method === 'GET') return new Response(JSON.stringify({changes: [], next_cursor: 'c0', has_more: false}),
             {status: 200, headers: {'Content-Type': 'application/json'}});
           return new Response(JSON.stringify({error: {code: 'invalid_input', message: '请求无效 (invalid)',
             details: {topic: '请选择话题 (unknown topic)'}}}), {status: 422, headers: {'Content-Type': 'application/json'}});
         }",
    );
    let outcome = sync::run(&store, TOKEN_HEX, false, &|_| {}).await.unwrap();
    // Again, forced (立即同步): the refused concern waits for its rider, and the verdict with it.
    sync::run(&store, TOKEN_HEX, true, &|_| {}).await.unwrap();
    let puts = calls().iter().filter(|c| c.starts_with("PUT")).count();
    restore_fetch();
    assert_eq!(
        puts, 1,
        "the verdict is not sent before its concern is delivered"
    );
    assert_eq!(outcome.needs_attention, 1);
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 2, "nothing is lost");
    let concern = outbox.iter().find(|e| e.id == "k1").unwrap();
    assert_eq!(
        concern.problem.as_ref().map(|p| p.message.as_str()),
        Some("请选择话题 (unknown topic)")
    );
    assert_eq!(
        concern.content::<ConcernSubmission>(OutboxKind::Concern),
        Some(concern_submission()),
        "everything the rider typed is kept"
    );
    store.close();
}
