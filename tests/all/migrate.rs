//! `suishoupai migrate`: a district's SQLite database moved into PostgreSQL — interrupted and carried on — then
//! served from there: the same reports, photos, accounts, feed and points, the riders' tokens and codes still good.
use serde_json::{json, Value};
use suishoupai::domain::Role;
use suishoupai::server::migrate::{self, Options, Outcome};
use suishoupai::server::{db, Config};

use crate::common::{jpeg, new_id, on_postgres, open_db, report_body, sha256, TestServer};

async fn count(db: &db::Db, table: &str) -> i64 {
    db::query_scalar(format!("SELECT count(*) FROM {table}"))
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_district_moves_to_postgresql_in_batches_and_is_served_from_there_unchanged() {
    if !on_postgres() {
        return;
    }
    // A district's life on SQLite: days of reports, their verdicts and colours, and a rider's own.
    let source = TestServer::start_on_sqlite().await;
    suishoupai::server::demo_history::generate(
        &source.state,
        12,
        7,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .unwrap();
    let rider = source.enrolled(Role::Rider, "骑手小李").await;
    let photo = jpeg(3, 4000);
    assert_eq!(source.put_photo(&rider.token, &photo).await.status(), 201);
    let report = source
        .file_report(&rider.token, &report_body(&[&sha256(&photo)]))
        .await;
    let concern = source
        .put_as(
            &rider.token,
            &format!("/api/v1/concerns/{}", new_id()),
            &json!({"kind": "suggestion", "topic": "parking", "text": "地铁口划临时停车区",
                    "station_id": "demo-station-01"}),
        )
        .await;
    assert_eq!(concern.status(), 201);
    let (_, unused_code) = source.user_with_code(Role::GridWorker, "新网格员").await;
    let before: Value = source.read_as(&rider.token, "/api/v1/changes").await;
    let reports = count(&source.db, "reports").await;
    assert!(reports > 50, "{reports} reports");

    // Into an empty PostgreSQL database: stopped after a few batches, then carried on.
    let dir = tempfile::tempdir().unwrap();
    let target = open_db(dir.path()).await;
    migrate::carry_key(&source.db.key_file(), &target.key_file()).unwrap();
    let sqlite = source.db.as_sqlite().unwrap();
    let small = Options {
        batch_rows: 40,
        stop_after_batches: Some(9),
    };
    assert_eq!(
        migrate::migrate(sqlite, &target, small).await.unwrap(),
        Outcome::Interrupted { batches: 9 }
    );
    let partly = count(&target, "reports").await;
    assert!(partly < reports, "{partly} of {reports} reports so far");
    let carry_on = Options {
        stop_after_batches: None,
        ..small
    };
    let Outcome::Done(verified) = migrate::migrate(sqlite, &target, carry_on).await.unwrap() else {
        panic!("not done");
    };
    assert_eq!(verified.tables["reports"].0, reports);
    assert_eq!(verified.tables.len(), migrate::TABLES.len());
    // Every table PostgreSQL has came over (its migrations' own records aside).
    let tables: Vec<String> = db::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&target)
    .await
    .unwrap();
    let mut copied: Vec<String> = migrate::TABLES.iter().map(|t| t.to_string()).collect();
    copied.sort();
    assert_eq!(
        tables, copied,
        "no table left behind, and no bookkeeping left either"
    );

    // Served from PostgreSQL: the rider's token, feed, report, photo and points as they were; a code still good.
    let served = TestServer::serve(dir, target, Config::default()).await;
    let after: Value = served.read_as(&rider.token, "/api/v1/changes").await;
    assert_eq!(after["changes"], before["changes"]);
    assert_eq!(after["next_cursor"], before["next_cursor"]);
    let mine: Value = served
        .read_as(&rider.token, &format!("/api/v1/reports/{}", report.id))
        .await;
    assert_eq!(mine["photos"], json!([sha256(&photo)]));
    let bytes = served
        .get_as(&rider.token, &format!("/api/v1/photos/{}", sha256(&photo)))
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), photo.as_slice());
    // Read alone, the copy still checks out table by table; a second run into it is refused (it holds a district now).
    let db::Db::Postgres(pool, _) = &served.db else {
        panic!("served from PostgreSQL");
    };
    migrate::verify(sqlite, pool).await.unwrap();
    let again = migrate::migrate(sqlite, &served.db, Options::default()).await;
    assert!(format!("{:#}", again.unwrap_err()).contains("holds a district already"));
    assert_eq!(
        served.enrolled_with(&unused_code).await.user.role,
        Role::GridWorker
    );
}
