//! The phone's IndexedDB: one database whose schema is an upgrade ladder (step N takes version N-1 to N),
//! and typed access to its object stores. Nothing the user depends on lives anywhere else on the phone.
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::ReferenceData;
use crate::i18n::Lang;

pub const DB_NAME: &str = "suishoupai";

/// Object store of reference data snapshots (categories, stations, grids), keyed by [`REFERENCE_KEY`].
pub const REFERENCE: &str = "reference";
/// Object store of small settings and bookkeeping values, keyed by name.
pub const META: &str = "meta";

const REFERENCE_KEY: &str = "current";
const LANGUAGE_KEY: &str = "language";

/// One step of the schema: creates or changes stores inside the `upgradeneeded` transaction.
pub type Migration = fn(&Database) -> indexed_db_futures::Result<()>;

/// The schema, oldest step first; the database version is the number of steps.
pub const MIGRATIONS: &[Migration] = &[create_reference_store, create_meta_store];

fn create_reference_store(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(REFERENCE).build()?;
    Ok(())
}

fn create_meta_store(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(META).build()?;
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

    /// The interface language the user chose, if they chose one.
    pub async fn language(&self) -> Result<Option<Lang>, StoreError> {
        self.get(META, LANGUAGE_KEY).await
    }

    pub async fn set_language(&self, lang: Lang) -> Result<(), StoreError> {
        self.put(META, LANGUAGE_KEY, &lang).await
    }
}
