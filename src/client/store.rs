//! The phone's IndexedDB: one database whose schema is an upgrade ladder (step N takes version N-1 to N),
//! and typed access to its object stores. Nothing the user depends on lives anywhere else on the phone.
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::{Enrollment, ReferenceData};
use crate::i18n::Lang;

pub const DB_NAME: &str = "suishoupai";

/// Object store of reference data snapshots (categories, stations, grids), keyed by [`REFERENCE_KEY`].
pub const REFERENCE: &str = "reference";
/// Object store of small settings and bookkeeping values, keyed by name.
pub const META: &str = "meta";
/// Object store of changes not yet acknowledged by the server, keyed by their id.
pub const OUTBOX: &str = "outbox";

const REFERENCE_KEY: &str = "current";
const LANGUAGE_KEY: &str = "language";
const SESSION_KEY: &str = "session";

/// One step of the schema: creates or changes stores inside the `upgradeneeded` transaction.
pub type Migration = fn(&Database) -> indexed_db_futures::Result<()>;

/// The schema, oldest step first; the database version is the number of steps.
pub const MIGRATIONS: &[Migration] = &[
    create_reference_store,
    create_meta_store,
    create_outbox_store,
];

fn create_reference_store(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(REFERENCE).build()?;
    Ok(())
}

fn create_meta_store(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(META).build()?;
    Ok(())
}

fn create_outbox_store(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(OUTBOX).build()?;
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
        tx.object_store(store)?
            .put(value)
            .with_key(key.to_owned())
            .with_key_type::<String>()
            .serde()?
            .await?;
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

    /// How many changes wait in the outbox for the server's acknowledgement.
    pub async fn outbox_len(&self) -> Result<u32, StoreError> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let n = tx.object_store(OUTBOX)?.count().await?;
        Ok(n)
    }

    /// The interface language the user chose, if they chose one.
    pub async fn language(&self) -> Result<Option<Lang>, StoreError> {
        self.get(META, LANGUAGE_KEY).await
    }

    pub async fn set_language(&self, lang: Lang) -> Result<(), StoreError> {
        self.put(META, LANGUAGE_KEY, &lang).await
    }
}
