//! The phone's IndexedDB: one database whose schema is an upgrade ladder (step N takes version N-1 to N),
//! and typed access to its object stores. Nothing the user depends on lives anywhere else on the phone.
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::local::{CheckinState, LocalCheckin, LocalReport, LocalState, OutboxEntry};
use crate::domain::category::Department;
use crate::domain::change::{Change, ChangeKind};
use crate::domain::concern::Concern;
use crate::domain::{Category, Checkin, Enrollment, Grid, ReferenceData, Report, Station};
use crate::i18n::Lang;

pub const DB_NAME: &str = "suishoupai";

/// Object store of reference data snapshots (categories, stations, grids), keyed by [`REFERENCE_KEY`].
pub const REFERENCE: &str = "reference";
/// Object store of small settings and bookkeeping values, keyed by name.
pub const META: &str = "meta";
/// Object store of changes not yet acknowledged by the server, keyed by their id.
pub const OUTBOX: &str = "outbox";
/// Object store of the phone's reports (drafts to delivered), keyed by report id.
pub const REPORTS: &str = "reports";
/// Object store of photo bytes (`Uint8Array`), keyed by SHA-256.
pub const PHOTOS: &str = "photos";
/// Object store of check-ins (recorded by staff, or a rider's confirmed visits), keyed by id.
pub const CHECKINS: &str = "checkins";
/// Object store of delivered task actions and verdicts (outbox entries with `sent_ms`), keyed by id: kept
/// [`KEEP_SENT_MS`] so that a server restored from a backup that lacks them gets them again.
pub const SENT: &str = "sent";
/// Object store of riders' concerns as the server last gave them (the rider's own; a station's; a department's),
/// keyed by id. One not delivered yet lives in the outbox.
pub const CONCERNS: &str = "concerns";
/// How long a delivered task action or verdict is kept for a restored server: longer than any sane backup interval.
pub const KEEP_SENT_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

const REFERENCE_KEY: &str = "current";
const LANGUAGE_KEY: &str = "language";
const URGENT_ALERTS_KEY: &str = "urgent-alerts";
const SESSION_KEY: &str = "session";
const CURSOR_KEY: &str = "cursor";
const EPOCH_KEY: &str = "epoch";

/// One step of the schema: creates or changes stores inside the `upgradeneeded` transaction.
pub type Migration = fn(&Database) -> indexed_db_futures::Result<()>;

/// What [`Store::snapshot`] reads together.
pub struct Snapshot {
    pub reports: Vec<LocalReport>,
    pub checkins: Vec<LocalCheckin>,
    pub outbox: Vec<OutboxEntry>,
    pub concerns: Vec<Concern>,
}

/// The schema, oldest step first; the database version is the number of steps.
pub const MIGRATIONS: &[Migration] = &[
    |db| create_stores(db, &[REFERENCE]),
    |db| create_stores(db, &[META]),
    |db| create_stores(db, &[OUTBOX]),
    |db| create_stores(db, &[REPORTS, PHOTOS]),
    |db| create_stores(db, &[CHECKINS]),
    |db| create_stores(db, &[SENT]),
    |db| create_stores(db, &[CONCERNS]),
];

/// A schema step that adds key-value object stores.
fn create_stores(db: &Database, names: &[&str]) -> indexed_db_futures::Result<()> {
    for name in names {
        db.create_object_store(name).build()?;
    }
    Ok(())
}

/// Puts a serde value under a string key in an object store of an open transaction.
async fn put_serde<T: Serialize>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    store
        .put(value)
        .with_key(key.to_owned())
        .with_key_type::<String>()
        .serde()?
        .await?;
    Ok(())
}

/// Every value of an object store of an open transaction.
async fn all_serde<T: DeserializeOwned>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> Result<Vec<T>, StoreError> {
    Ok(store.get_all().serde()?.await?.collect::<Result<_, _>>()?)
}

/// Puts photo bytes (`Uint8Array`) under their hashes in the photo store of an open transaction.
async fn put_photos(
    photos: &indexed_db_futures::object_store::ObjectStore<'_>,
    new_photos: &[(String, Vec<u8>)],
) -> Result<(), StoreError> {
    for (sha, bytes) in new_photos {
        photos
            .put(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(
                bytes.as_slice(),
            )))
            .with_key(sha.clone())
            .await?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the phone's storage: {0}")]
    Open(#[from] indexed_db_futures::error::OpenDbError),
    #[error("storage operation failed: {0}")]
    Operation(#[from] indexed_db_futures::error::Error),
}

/// An open connection to the phone's database.
#[derive(Debug)]
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens the app's database, upgrading its schema to the newest version.
    pub async fn open() -> Result<Store, StoreError> {
        Self::open_with(DB_NAME, MIGRATIONS).await
    }

    /// Opens `name` at version `ladder.len()`, running only the steps the stored version has not had yet.
    pub async fn open_with(name: &str, ladder: &'static [Migration]) -> Result<Store, StoreError> {
        let version = ladder.len() as u32;
        let db = Database::open(name)
            .with_version(version)
            .with_on_upgrade_needed(move |event, db| {
                let from = event.old_version() as usize;
                for step in ladder.iter().skip(from) {
                    step(&db)?;
                }
                Ok(())
            })
            .await?;
        Ok(Store { db })
    }

    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    pub fn store_names(&self) -> Vec<String> {
        self.db.object_store_names().collect()
    }

    pub fn close(self) {
        self.db.close();
    }

    async fn get<T: DeserializeOwned>(
        &self,
        store: &str,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        let tx = self.db.transaction(store).build()?;
        let value: Option<T> = tx.object_store(store)?.get(key.to_owned()).serde()?.await?;
        Ok(value)
    }

    /// Writes one value and resolves only once the transaction has committed.
    async fn put<T: Serialize>(&self, store: &str, key: &str, value: &T) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        put_serde(&tx.object_store(store)?, key, value).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last reference data fetched from the server, if any.
    pub async fn reference(&self) -> Result<Option<ReferenceData>, StoreError> {
        self.get(REFERENCE, REFERENCE_KEY).await
    }

    pub async fn put_reference(&self, data: &ReferenceData) -> Result<(), StoreError> {
        self.put(REFERENCE, REFERENCE_KEY, data).await
    }

    async fn delete(&self, store: &str, key: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(store)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(store)?
            .delete(key.to_owned())
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who is signed in on this phone: the token, the user and (for riders) the pass secret.
    pub async fn session(&self) -> Result<Option<Enrollment>, StoreError> {
        self.get(META, SESSION_KEY).await
    }

    pub async fn set_session(&self, session: &Enrollment) -> Result<(), StoreError> {
        self.put(META, SESSION_KEY, session).await
    }

    /// Forgets the session; everything else on the phone (the outbox above all) stays.
    pub async fn clear_session(&self) -> Result<(), StoreError> {
        self.delete(META, SESSION_KEY).await
    }

    /// Empties everything this phone keeps (the user's account was erased): reports, photos, check-ins, the
    /// outbox, the cursor and the session. The language stays.
    pub async fn clear_everything(&self) -> Result<(), StoreError> {
        let stores = [REPORTS, PHOTOS, CHECKINS, OUTBOX, SENT, REFERENCE, CONCERNS];
        let tx = self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        for store in stores {
            tx.object_store(store)?.clear()?.await?;
        }
        tx.commit().await?;
        self.delete(META, CURSOR_KEY).await?;
        self.clear_session().await
    }

    /// How many changes wait in the outbox for the server's acknowledgement.
    pub async fn outbox_len(&self) -> Result<u32, StoreError> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let n = tx.object_store(OUTBOX)?.count().await?;
        Ok(n)
    }

    /// Saves a report (a draft, or a change to one) and any new photos in one transaction: after it resolves,
    /// all of it is on the phone, or none of it.
    pub async fn save_report(
        &self,
        report: &LocalReport,
        new_photos: &[(String, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([REPORTS, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        put_photos(&tx.object_store(PHOTOS)?, new_photos).await?;
        put_serde(&tx.object_store(REPORTS)?, &report.id, report).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes `value` under `key` in `store` and puts `entry` in the outbox, in one transaction.
    async fn write_and_queue<T: Serialize>(
        &self,
        store: &str,
        key: &str,
        value: &T,
        entry: &OutboxEntry,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([store, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        put_serde(&tx.object_store(store)?, key, value).await?;
        put_serde(&tx.object_store(OUTBOX)?, &entry.id, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the server's answer (`value`, when there is one) and deletes the outbox entry, in one transaction:
    /// an entry leaves the outbox only together with the record of its acknowledgement.
    async fn write_and_unqueue<T: Serialize>(
        &self,
        store: &str,
        write: Option<(&str, &T)>,
        outbox_key: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([store, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        if let Some((key, value)) = write {
            put_serde(&tx.object_store(store)?, key, value).await?;
        }
        tx.object_store(OUTBOX)?
            .delete(outbox_key.to_owned())
            .serde()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues a finished report: the report (state 待发送) and its outbox entry in one transaction.
    pub async fn queue_report(
        &self,
        report: &LocalReport,
        entry: &OutboxEntry,
    ) -> Result<(), StoreError> {
        self.write_and_queue(REPORTS, &report.id, report, entry)
            .await
    }

    /// Records a check-in on this phone and queues it, in one transaction.
    pub async fn queue_checkin(
        &self,
        checkin: &LocalCheckin,
        entry: &OutboxEntry,
    ) -> Result<(), StoreError> {
        self.write_and_queue(CHECKINS, &checkin.id, checkin, entry)
            .await
    }

    /// Records the server's answer to a check-in (confirmed or refused) and drops its outbox entry, together.
    pub async fn settle_checkin(&self, checkin: &LocalCheckin) -> Result<(), StoreError> {
        self.write_and_unqueue(CHECKINS, Some((&checkin.id, checkin)), &checkin.id)
            .await
    }

    /// Records the server's answer to a task action or verdict (the task as it now is, if known), drops it from
    /// the outbox and keeps it among the sent ones (marked with `sent_ms`), together. Old sent ones go in
    /// [`Store::prune_sent`].
    pub async fn settle_action(
        &self,
        task: Option<&LocalReport>,
        entry: &OutboxEntry,
        now_ms: f64,
    ) -> Result<(), StoreError> {
        self.settle_sent(REPORTS, task.map(|t| (t.id.as_str(), t)), entry, now_ms)
            .await
    }

    /// Records the server's answer to a concern, an action on one or a verdict on one (the concern as it now is),
    /// as [`Store::settle_action`] does for tasks.
    pub async fn settle_concern(
        &self,
        concern: &Concern,
        entry: &OutboxEntry,
        now_ms: f64,
    ) -> Result<(), StoreError> {
        self.settle_sent(
            CONCERNS,
            Some((concern.id.as_str(), concern)),
            entry,
            now_ms,
        )
        .await
    }

    /// Writes `record` in `store`, drops `entry` from the outbox and keeps it among the sent ones, in one
    /// transaction.
    async fn settle_sent<T: Serialize>(
        &self,
        store: &str,
        record: Option<(&str, &T)>,
        entry: &OutboxEntry,
        now_ms: f64,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([store, OUTBOX, SENT])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        if let Some((key, value)) = record {
            put_serde(&tx.object_store(store)?, key, value).await?;
        }
        tx.object_store(OUTBOX)?
            .delete(entry.id.clone())
            .serde()?
            .await?;
        let sent = tx.object_store(SENT)?;
        let kept = OutboxEntry {
            attempts: 0,
            next_attempt_ms: 0.0,
            problem: None,
            sent_ms: Some(now_ms),
            ..entry.clone()
        };
        put_serde(&sent, &kept.id, &kept).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues an entry whose content lives in the outbox (a concern) together with its new photos, in one
    /// transaction: after it resolves, all of it is on the phone, or none of it.
    pub async fn queue_with_photos(
        &self,
        entry: &OutboxEntry,
        new_photos: &[(String, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([PHOTOS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        put_photos(&tx.object_store(PHOTOS)?, new_photos).await?;
        put_serde(&tx.object_store(OUTBOX)?, &entry.id, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The concerns the server gave this phone.
    pub async fn concerns(&self) -> Result<Vec<Concern>, StoreError> {
        let tx = self.db.transaction(CONCERNS).build()?;
        all_serde(&tx.object_store(CONCERNS)?).await
    }

    /// Forgets the delivered actions and verdicts kept longer than [`KEEP_SENT_MS`] (a sync does it once, before it
    /// sends).
    pub async fn prune_sent(&self, now_ms: f64) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([SENT])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let sent = tx.object_store(SENT)?;
        let old: Vec<OutboxEntry> = all_serde(&sent).await?;
        for e in old {
            if e.sent_ms.is_none_or(|t| t < now_ms - KEEP_SENT_MS) {
                sent.delete(e.id).serde()?.await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a refused task action in the outbox, parked with its problem, and the task as the server now has it
    /// (when the answer brought it), together.
    pub async fn park_action(
        &self,
        task: Option<&LocalReport>,
        entry: &OutboxEntry,
    ) -> Result<(), StoreError> {
        match task {
            Some(task) => self.write_and_queue(REPORTS, &task.id, task, entry).await,
            None => self.put_outbox_entry(entry).await,
        }
    }

    /// Drops an outbox entry for good (the worker chose to drop a refused action).
    pub async fn drop_outbox_entry(&self, id: &str) -> Result<(), StoreError> {
        self.delete(OUTBOX, id).await
    }

    /// Records the server's acknowledgement: the report as delivered and its outbox entry gone, together.
    pub async fn acknowledge(&self, report: &LocalReport) -> Result<(), StoreError> {
        self.write_and_unqueue(REPORTS, Some((&report.id, report)), &report.id)
            .await
    }

    pub async fn checkin(&self, id: &str) -> Result<Option<LocalCheckin>, StoreError> {
        self.get(CHECKINS, id).await
    }

    pub async fn checkins(&self) -> Result<Vec<LocalCheckin>, StoreError> {
        let tx = self.db.transaction(CHECKINS).build()?;
        let all: Vec<LocalCheckin> = all_serde(&tx.object_store(CHECKINS)?).await?;
        Ok(all)
    }

    pub async fn put_outbox_entry(&self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.put(OUTBOX, &entry.id, entry).await
    }

    pub async fn set_report(&self, report: &LocalReport) -> Result<(), StoreError> {
        self.put(REPORTS, &report.id, report).await
    }

    /// Deletes a draft and the photos no other report uses. Only drafts: anything queued stays until acknowledged.
    pub async fn delete_draft(&self, id: &str) -> Result<bool, StoreError> {
        let tx = self
            .db
            .transaction([REPORTS, PHOTOS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let reports = tx.object_store(REPORTS)?;
        let all: Vec<LocalReport> = all_serde(&reports).await?;
        let Some(draft) = all
            .iter()
            .find(|r| r.id == id && r.state == LocalState::Draft)
        else {
            return Ok(false);
        };
        let photos = tx.object_store(PHOTOS)?;
        for photo in &draft.photos {
            let shared = all
                .iter()
                .any(|r| r.id != id && r.photos.iter().any(|p| p.sha256 == photo.sha256));
            if !shared {
                photos.delete(photo.sha256.clone()).serde()?.await?;
            }
        }
        reports.delete(id.to_owned()).serde()?.await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn reports(&self) -> Result<Vec<LocalReport>, StoreError> {
        let tx = self.db.transaction(REPORTS).build()?;
        let all: Vec<LocalReport> = all_serde(&tx.object_store(REPORTS)?).await?;
        Ok(all)
    }

    pub async fn report(&self, id: &str) -> Result<Option<LocalReport>, StoreError> {
        self.get(REPORTS, id).await
    }

    pub async fn photo(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.transaction(PHOTOS).build()?;
        let value: Option<wasm_bindgen::JsValue> = tx
            .object_store(PHOTOS)?
            .get(sha256.to_owned())
            .primitive()?
            .await?;
        Ok(value
            .filter(|v| !v.is_undefined() && !v.is_null())
            .map(|v| js_sys::Uint8Array::new(&v).to_vec()))
    }

    /// Keeps a photo fetched from the server (for a report this phone learned of from the change feed).
    pub async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(PHOTOS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(PHOTOS)?
            .put(wasm_bindgen::JsValue::from(js_sys::Uint8Array::from(bytes)))
            .with_key(sha256.to_owned())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reports, check-ins and the outbox as of one moment (one transaction): a screen that shows a task's version
    /// beside the actions still waiting on it must never see one after an acknowledgement and the other before.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let tx = self
            .db
            .transaction([REPORTS, CHECKINS, OUTBOX, CONCERNS])
            .build()?;
        let reports = all_serde(&tx.object_store(REPORTS)?).await?;
        let checkins = all_serde(&tx.object_store(CHECKINS)?).await?;
        let outbox = all_serde(&tx.object_store(OUTBOX)?).await?;
        let concerns = all_serde(&tx.object_store(CONCERNS)?).await?;
        Ok(Snapshot {
            reports,
            checkins,
            outbox,
            concerns,
        })
    }

    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let all: Vec<OutboxEntry> = all_serde(&tx.object_store(OUTBOX)?).await?;
        Ok(all)
    }

    /// Where the change feed left off, if the phone ever pulled.
    pub async fn cursor(&self) -> Result<Option<String>, StoreError> {
        self.get(META, CURSOR_KEY).await
    }

    /// The server database's life this phone last synced with (see [`ChangePage::epoch`]).
    pub async fn epoch(&self) -> Result<Option<String>, StoreError> {
        self.get(META, EPOCH_KEY).await
    }

    pub async fn set_epoch(&self, epoch: &str) -> Result<(), StoreError> {
        self.put(META, EPOCH_KEY, &epoch.to_owned()).await
    }

    /// The server was restored from a backup, which may lack what this phone delivered after it: everything this
    /// phone delivered goes back into the outbox, in the order it was first made — `user_id`'s reports, the
    /// check-ins recorded here, and the task actions and verdicts kept as sent. What the server has answers as a
    /// replay; what it lacks is applied again, once. Returns how many.
    pub async fn requeue_delivered(&self, user_id: &str) -> Result<u32, StoreError> {
        let mut n = 0;
        for mut report in self.reports().await? {
            if report.state != LocalState::Delivered || !report.is_mine(user_id) {
                continue;
            }
            report.state = LocalState::Queued;
            let entry = OutboxEntry::new(
                report.id.clone(),
                crate::client::local::OutboxKind::Report,
                None,
                report.created_ms,
            );
            self.queue_report(&report, &entry).await?;
            n += 1;
        }
        for checkin in self.checkins().await? {
            // Confirmed ones recorded on this phone (a rider's visits learned from the server carry no pass).
            if checkin.state != CheckinState::Confirmed || checkin.rider_pass.is_empty() {
                continue;
            }
            let entry = OutboxEntry::new(
                checkin.id.clone(),
                crate::client::local::OutboxKind::Checkin,
                None,
                checkin.created_ms,
            );
            self.put_outbox_entry(&entry).await?;
            n += 1;
        }
        let tx = self
            .db
            .transaction([OUTBOX, SENT])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let sent = tx.object_store(SENT)?;
        let outbox = tx.object_store(OUTBOX)?;
        let all: Vec<OutboxEntry> = all_serde(&sent).await?;
        for entry in all {
            sent.delete(entry.id.clone()).serde()?.await?;
            put_serde(&outbox, &entry.id, &entry).await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Applies a page of the change feed and stores its cursor in one transaction: both or neither.
    /// A report's newer version replaces the older; a report the phone did not know is added.
    pub async fn apply_changes(
        &self,
        changes: &[Change],
        next_cursor: &str,
    ) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction([REPORTS, REFERENCE, META, CHECKINS, CONCERNS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let reports = tx.object_store(REPORTS)?;
        let reference = tx.object_store(REFERENCE)?;
        let mut data: ReferenceData = reference
            .get(REFERENCE_KEY.to_owned())
            .serde()?
            .await?
            .unwrap_or_default();
        let mut reference_changed = false;
        for change in changes {
            match change.kind {
                ChangeKind::Report => {
                    let Ok(server) = serde_json::from_value::<Report>(change.data.clone()) else {
                        continue;
                    };
                    let known: Option<LocalReport> =
                        reports.get(server.id.clone()).serde()?.await?;
                    let merged = match known {
                        Some(mut local) => {
                            if local
                                .server
                                .as_ref()
                                .is_some_and(|s| s.version >= server.version)
                            {
                                continue;
                            }
                            local.server = Some(server);
                            if local.state != LocalState::NeedsAttention {
                                local.state = LocalState::Delivered;
                            }
                            local
                        }
                        None => LocalReport::from_server(server),
                    };
                    put_serde(&reports, &merged.id, &merged).await?;
                }
                ChangeKind::Category => {
                    reference_changed |=
                        upsert(&mut data.categories, &change.data, |c: &Category| {
                            c.code.as_str()
                        });
                }
                ChangeKind::Station => {
                    reference_changed |= upsert(&mut data.stations, &change.data, |s: &Station| {
                        s.id.as_str()
                    });
                }
                ChangeKind::Checkin => {
                    let Ok(server) = serde_json::from_value::<Checkin>(change.data.clone()) else {
                        continue;
                    };
                    let store = tx.object_store(CHECKINS)?;
                    let known: Option<LocalCheckin> = store.get(server.id.clone()).serde()?.await?;
                    let merged = match known {
                        Some(mut local) => {
                            local.state = CheckinState::Confirmed;
                            local.problem = None;
                            local.server = Some(server);
                            local
                        }
                        None => LocalCheckin::from_server(server),
                    };
                    put_serde(&store, &merged.id, &merged).await?;
                }
                ChangeKind::Grid => {
                    reference_changed |=
                        upsert(&mut data.grids, &change.data, |g: &Grid| g.id.as_str());
                }
                ChangeKind::Department => {
                    reference_changed |=
                        upsert(&mut data.departments, &change.data, |d: &Department| {
                            d.code.as_str()
                        });
                }
                ChangeKind::Concern => {
                    let Ok(server) = serde_json::from_value::<Concern>(change.data.clone()) else {
                        continue;
                    };
                    let store = tx.object_store(CONCERNS)?;
                    let known: Option<Concern> = store.get(server.id.clone()).serde()?.await?;
                    if known.is_none_or(|k| k.version < server.version) {
                        put_serde(&store, &server.id, &server).await?;
                    }
                }
                ChangeKind::Points | ChangeKind::Unknown => {}
            }
        }
        if reference_changed {
            put_serde(&reference, REFERENCE_KEY, &data).await?;
        }
        put_serde(&tx.object_store(META)?, CURSOR_KEY, &next_cursor).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The interface language the user chose, if they chose one.
    pub async fn language(&self) -> Result<Option<Lang>, StoreError> {
        self.get(META, LANGUAGE_KEY).await
    }

    pub async fn set_language(&self, lang: Lang) -> Result<(), StoreError> {
        self.put(META, LANGUAGE_KEY, &lang).await
    }

    /// Whether a new urgent task vibrates and sounds, if the user chose.
    pub async fn urgent_alerts(&self) -> Result<Option<bool>, StoreError> {
        self.get(META, URGENT_ALERTS_KEY).await
    }

    pub async fn set_urgent_alerts(&self, on: bool) -> Result<(), StoreError> {
        self.put(META, URGENT_ALERTS_KEY, &on).await
    }

    /// The last answer of a screen that shows the server's figures (the 新星奖 card), to show offline.
    pub async fn last_known<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StoreError> {
        self.get(META, &format!("last-known:{key}")).await
    }

    pub async fn set_last_known<T: Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        self.put(META, &format!("last-known:{key}"), value).await
    }
}

/// Puts the reference item `data` holds into `list`, in place of the one with its key or at the end; `false` when
/// `data` is not such an item (a newer server's shape this phone does not know: left alone).
fn upsert<T: DeserializeOwned>(
    list: &mut Vec<T>,
    data: &serde_json::Value,
    key: fn(&T) -> &str,
) -> bool {
    let Ok(item) = serde_json::from_value::<T>(data.clone()) else {
        return false;
    };
    match list.iter_mut().find(|x| key(x) == key(&item)) {
        Some(x) => *x = item,
        None => list.push(item),
    }
    true
}
