//! The phone's IndexedDB store in real headless Chromium: round-trips, and a schema upgrade that keeps the data.
#![cfg(target_arch = "wasm32")]

use suishoupai::client::store::{
    Store, CHECKINS, CONCERNS, META, MIGRATIONS, OUTBOX, PHOTOS, REFERENCE, REPORTS, SENT,
};
use suishoupai::domain::category::initial_catalog;
use suishoupai::domain::{Amenity, Enrollment, GeoPoint, Grid, ReferenceData, Role, Station, User};
use suishoupai::i18n::Lang;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A database name no other test uses, so tests never see each other's data.
fn fresh_name(what: &str) -> String {
    format!("test-{what}-{}", js_sys::Math::random())
}

fn sample() -> ReferenceData {
    ReferenceData {
        categories: initial_catalog(),
        stations: vec![Station {
            id: "s1".into(),
            name: "暖心驿站·测试".into(),
            address: "青白江区测试路1号".into(),
            lat: 30.88,
            lon: 104.25,
            hours: "08:00-20:00".into(),
            amenities: vec![Amenity::Charging, Amenity::FirstAid],
            demo: true,
            retired: false,
        }],
        grids: vec![Grid {
            id: "g1".into(),
            name: "测试网格".into(),
            polygon: vec![
                GeoPoint::new(30.0, 104.0),
                GeoPoint::new(30.0, 105.0),
                GeoPoint::new(31.0, 105.0),
            ],
            ..Grid::default()
        }],
        departments: vec![],
        concern_topics: vec![],
        fetched_at: Some("2026-11-26T01:02:03.000Z".into()),
    }
}

#[wasm_bindgen_test]
async fn reference_data_survives_closing_and_reopening() {
    let name = fresh_name("roundtrip");
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.reference().await.unwrap(), None);
    store.put_reference(&sample()).await.unwrap();
    store.close();

    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.reference().await.unwrap(), Some(sample()));

    let mut newer = sample();
    newer.stations.clear();
    store.put_reference(&newer).await.unwrap();
    assert_eq!(
        store.reference().await.unwrap(),
        Some(newer),
        "a put replaces the copy"
    );
    store.close();
}

#[wasm_bindgen_test]
async fn the_language_choice_is_remembered() {
    let name = fresh_name("lang");
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.language().await.unwrap(), None);
    store.set_language(Lang::En).await.unwrap();
    store.close();
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.language().await.unwrap(), Some(Lang::En));
    store.close();
}

#[wasm_bindgen_test]
async fn upgrading_from_the_first_schema_keeps_the_data_and_adds_the_new_stores() {
    let name = fresh_name("upgrade");
    let old = Store::open_with(&name, &MIGRATIONS[..1]).await.unwrap();
    assert_eq!(old.version(), 1);
    assert_eq!(old.store_names(), vec![REFERENCE.to_owned()]);
    old.put_reference(&sample()).await.unwrap();
    assert!(old.language().await.is_err(), "version 1 has no meta store");
    old.close();

    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.version() as usize, MIGRATIONS.len());
    let mut names = store.store_names();
    names.sort();
    assert_eq!(
        names,
        [CHECKINS, CONCERNS, META, OUTBOX, PHOTOS, REFERENCE, REPORTS, SENT]
            .map(str::to_owned)
            .to_vec()
    );
    assert_eq!(
        store.reference().await.unwrap(),
        Some(sample()),
        "data written at version 1 is kept"
    );
    store.set_language(Lang::En).await.unwrap();
    assert_eq!(store.language().await.unwrap(), Some(Lang::En));
    store.close();

    // Opening again at the newest version runs no step twice (re-creating a store would fail).
    let again = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(again.reference().await.unwrap(), Some(sample()));
    again.close();
}

fn session() -> Enrollment {
    Enrollment {
        token: "ab".repeat(32),
        user: User {
            id: "u1".into(),
            name: "骑手小李".into(),
            role: Role::Rider,
            grid_id: None,
            station_id: None,
            department_id: None,
            street: None,
        },
        pass_secret: Some("00".repeat(20)),
    }
}

#[wasm_bindgen_test]
async fn a_session_is_kept_until_signed_out_and_signing_out_keeps_everything_else() {
    let name = fresh_name("session");
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.session().await.unwrap(), None);
    store.set_session(&session()).await.unwrap();
    store.put_reference(&sample()).await.unwrap();
    store.set_language(Lang::En).await.unwrap();
    store.close();

    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.session().await.unwrap(), Some(session()));
    store.clear_session().await.unwrap();
    assert_eq!(store.session().await.unwrap(), None);
    assert_eq!(store.reference().await.unwrap(), Some(sample()));
    assert_eq!(store.language().await.unwrap(), Some(Lang::En));
    store.close();
}

#[wasm_bindgen_test]
async fn the_outbox_count_sees_items_written_by_anyone() {
    use indexed_db_futures::prelude::*;
    use indexed_db_futures::transaction::TransactionMode;

    let name = fresh_name("outbox");
    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 0);
    store.close();

    // Another writer (the sync engine, another tab) adds two items straight into the store.
    let db = indexed_db_futures::database::Database::open(name.as_str())
        .await
        .unwrap();
    let tx = db
        .transaction(OUTBOX)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let outbox = tx.object_store(OUTBOX).unwrap();
    outbox.put("first").with_key("item-1").await.unwrap();
    outbox.put("second").with_key("item-2").await.unwrap();
    tx.commit().await.unwrap();
    db.close();

    let store = Store::open_with(&name, MIGRATIONS).await.unwrap();
    assert_eq!(store.outbox_len().await.unwrap(), 2);
    store.clear_session().await.unwrap();
    assert_eq!(
        store.outbox_len().await.unwrap(),
        2,
        "signing out deletes nothing from the outbox"
    );
    store.close();
}

#[wasm_bindgen_test]
async fn reference_changes_from_the_feed_replace_the_phones_copy_and_unknown_kinds_are_skipped() {
    use suishoupai::domain::category::Department;
    use suishoupai::domain::change::{Change, ChangeKind};
    let store = Store::open_with(&fresh_name("feed-reference"), MIGRATIONS)
        .await
        .unwrap();
    store.put_reference(&sample()).await.unwrap();
    let mut renamed = sample().grids[0].clone();
    renamed.name = "华严社区第一网格".into();
    renamed.street = "大弯街道".into();
    let mut retired = sample().stations[0].clone();
    retired.retired = true;
    let department = Department {
        code: "chengguan".into(),
        name: "区综合行政执法局".into(),
        retired: false,
    };
    let changes = vec![
        Change {
            kind: ChangeKind::Grid,
            id: renamed.id.clone(),
            data: serde_json::to_value(&renamed).unwrap(),
        },
        Change {
            kind: ChangeKind::Station,
            id: retired.id.clone(),
            data: serde_json::to_value(&retired).unwrap(),
        },
        Change {
            kind: ChangeKind::Department,
            id: "chengguan".into(),
            data: serde_json::to_value(&department).unwrap(),
        },
    ];
    store.apply_changes(&changes, "c9").await.unwrap();
    let copy = store.reference().await.unwrap().unwrap();
    assert_eq!(copy.grids, vec![renamed]);
    assert_eq!(copy.stations, vec![retired]);
    assert_eq!(copy.departments, vec![department]);

    // A page from a newer server with a kind this phone does not know still reads, and the rest applies.
    let page: suishoupai::domain::change::ChangePage = serde_json::from_value(serde_json::json!({
        "changes": [{"kind": "verdict", "id": "v1", "data": {}}],
        "next_cursor": "c10", "has_more": false
    }))
    .unwrap();
    assert_eq!(page.changes[0].kind, ChangeKind::Unknown);
    store.apply_changes(&page.changes, "c10").await.unwrap();
    assert_eq!(store.reference().await.unwrap().unwrap(), copy);
}
