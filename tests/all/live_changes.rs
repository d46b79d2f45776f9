//! Live changes (`GET /changes/stream`): after a commit, the streams of those who may see the change get an event
//! with the newest cursor, and the feed pulled from their last cursor holds the change; nobody else hears of it.
//! A stream opened with an old cursor tells at once what was missed; streams per user are capped; a server
//! shutting down ends them.
use std::time::Duration;

use suishoupai::domain::Role;

use crate::common::{error_code, new_id, report_body, report_ids, TestServer};

/// One open event stream, read event by event.
struct Events {
    res: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(server: &TestServer, token: &str, cursor: Option<&str>) -> Events {
        let path = match cursor {
            Some(c) => format!("/api/v1/changes/stream?cursor={c}"),
            None => "/api/v1/changes/stream".to_owned(),
        };
        let res = server
            .client
            .get(server.url(&path))
            .bearer_auth(token)
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Events {
            res,
            buffer: String::new(),
        }
    }

    /// The next event (kind, cursor) within `wait`; comments (heartbeats) are skipped. `None`: nothing came, or
    /// the stream ended.
    async fn next(&mut self, wait: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_owned)
                };
                if let (Some(kind), Some(data)) = (field("event: "), field("data: ")) {
                    let data: serde_json::Value = serde_json::from_str(&data).expect("JSON data");
                    return Some((kind, data["cursor"].as_str().expect("a cursor").to_owned()));
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?
                .expect("the stream reads")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    /// The first event, which every stream begins with: its cursor.
    async fn ready(&mut self) -> String {
        let (kind, cursor) = self.next(Duration::from_secs(5)).await.expect("ready");
        assert_eq!(kind, "ready");
        cursor
    }
}

/// A report in demo-grid-01 (the middle of the demo area is demo-grid-07).
fn report_in_grid_01() -> serde_json::Value {
    let mut body = report_body(&[]);
    body["lat"] = serde_json::json!(30.845);
    body["lon"] = serde_json::json!(104.175);
    body
}

const QUIET: Duration = Duration::from_millis(800);

#[tokio::test]
async fn a_report_reaches_its_grids_worker_at_once_and_no_other_grids() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let ours = server.grid_worker_of("demo-grid-07").await;
    let theirs = server.grid_worker_of("demo-grid-01").await;
    let mut our_events = Events::open(&server, &ours, None).await;
    let mut their_events = Events::open(&server, &theirs, None).await;
    let from = our_events.ready().await;
    their_events.ready().await;

    let id = new_id();
    assert_eq!(
        server
            .put_report(&rider, &id, &report_body(&[]))
            .await
            .status(),
        201
    );
    let (kind, cursor) = our_events
        .next(Duration::from_secs(5))
        .await
        .expect("an event");
    assert_eq!(kind, "change");
    assert_ne!(cursor, from);
    // The pull that follows brings the report.
    let page: serde_json::Value = server
        .read_as(&ours, &format!("/api/v1/changes?cursor={from}"))
        .await;
    assert_eq!(report_ids(&page), vec![id]);
    assert_eq!(page["next_cursor"].as_str(), Some(cursor.as_str()));
    // Another grid's worker may not see it: no event.
    assert_eq!(their_events.next(QUIET).await, None);

    // Their grid's report tells them, and not us.
    server
        .put_report(&rider, &new_id(), &report_in_grid_01())
        .await;
    assert_eq!(
        their_events.next(Duration::from_secs(5)).await.map(|e| e.0),
        Some("change".to_owned())
    );
    assert_eq!(our_events.next(QUIET).await, None);
}

#[tokio::test]
async fn a_commit_on_one_instance_reaches_the_streams_of_another() {
    // Several instances share one database only on PostgreSQL.
    if !crate::common::on_postgres() {
        return;
    }
    let first = TestServer::start().await;
    let second = first.second_instance().await;
    let rider = first.enrolled(Role::Rider, "小李").await.token;
    let worker = first.grid_worker_of("demo-grid-07").await;
    let mut events = Events::open(&second, &worker, None).await;
    let from = events.ready().await;
    let id = new_id();
    assert_eq!(
        first
            .put_report(&rider, &id, &report_body(&[]))
            .await
            .status(),
        201
    );
    let (kind, cursor) = events
        .next(Duration::from_secs(5))
        .await
        .expect("an event from the other instance's commit");
    assert_eq!(kind, "change");
    assert_ne!(cursor, from);
    let page: serde_json::Value = second
        .read_as(&worker, &format!("/api/v1/changes?cursor={from}"))
        .await;
    assert_eq!(report_ids(&page), vec![id]);
}

#[tokio::test]
async fn a_stream_opened_again_with_the_last_cursor_tells_at_once_what_it_missed() {
    let server = TestServer::start().await;
    let rider = server.enrolled(Role::Rider, "小李").await.token;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let mut events = Events::open(&server, &worker, None).await;
    let last = events.ready().await;
    drop(events); // the phone lost its stream (a tunnel, a proxy)
    let id = new_id();
    server.put_report(&rider, &id, &report_body(&[])).await;

    let mut events = Events::open(&server, &worker, Some(&last)).await;
    let newest = events.ready().await;
    assert_eq!(
        events.next(Duration::from_secs(1)).await,
        Some(("change".to_owned(), newest.clone()))
    );
    let page: serde_json::Value = server
        .read_as(&worker, &format!("/api/v1/changes?cursor={last}"))
        .await;
    assert_eq!(report_ids(&page), vec![id]);
    // Opened with the newest cursor: nothing to tell.
    let mut events = Events::open(&server, &worker, Some(&newest)).await;
    events.ready().await;
    assert_eq!(events.next(QUIET).await, None);
}

#[tokio::test]
async fn streams_per_user_are_capped_and_a_bad_cursor_is_named() {
    let server = TestServer::start().await;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let mut open = Vec::new();
    for _ in 0..suishoupai::server::live::MAX_STREAMS_PER_USER {
        open.push(Events::open(&server, &worker, None).await);
    }
    assert_eq!(server.state.live.open_streams(), open.len());
    let res = server.get_as(&worker, "/api/v1/changes/stream").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(error_code(res).await, "rate_limited");
    // Another user is not held back by this one.
    let other = server.grid_worker_of("demo-grid-01").await;
    Events::open(&server, &other, None).await.ready().await;

    let bad = server
        .get_as(&worker, "/api/v1/changes/stream?cursor=nonsense")
        .await;
    assert_eq!(bad.status(), 422);
}

#[tokio::test]
async fn a_server_shutting_down_ends_its_streams() {
    let server = TestServer::start().await;
    let worker = server.grid_worker_of("demo-grid-07").await;
    let mut events = Events::open(&server, &worker, None).await;
    events.ready().await;
    server.state.live.close();
    let ended = tokio::time::timeout(Duration::from_secs(5), events.res.chunk())
        .await
        .expect("the stream ends at once");
    assert!(matches!(ended, Ok(None)), "{ended:?}");
}
