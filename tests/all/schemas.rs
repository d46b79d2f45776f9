//! SQLite's and PostgreSQL's migrations end in the same schema: the same tables, each with the same columns, of
//! the same kind, nullable alike, and the same indexes — so a statement written once means the same on both.
use std::collections::BTreeMap;

use suishoupai::server::db::{self, Db};

use crate::common::{on_postgres, open_db};

/// What a column holds, in words both backends share.
fn kind(declared: &str) -> &'static str {
    match declared.to_ascii_lowercase().as_str() {
        // SQLite keeps flags as 0/1 integers; PostgreSQL as booleans, which SQLite reads back as 0/1.
        "integer" | "bigint" | "boolean" => "integer",
        "real" | "double precision" => "real",
        "text" => "text",
        "blob" | "bytea" => "bytes",
        other => panic!("a column of type {other}"),
    }
}

type Columns = BTreeMap<String, BTreeMap<String, (&'static str, bool)>>;

/// Tables only one backend has, and why.
const OWN_TABLES: &[&str] = &[
    // sqlx's record of the migrations applied: each backend's own list.
    "_sqlx_migrations",
    // SQLite's R*Tree of report places and its shadow tables; PostgreSQL has the GiST index reports_by_place.
    "report_places",
    "report_places_node",
    "report_places_parent",
    "report_places_rowid",
];

/// Indexes only one backend has (see [`OWN_TABLES`]).
const OWN_INDEXES: &[&str] = &["reports_by_place"];

async fn sqlite_schema(db: &Db) -> (Columns, Vec<String>) {
    let rows: Vec<(String, String, String, bool, i64)> = db::query_as(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk
         FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut tables = Columns::new();
    for (table, column, declared, not_null, pk) in rows {
        if OWN_TABLES.contains(&table.as_str()) {
            continue;
        }
        // A primary key is never null (SQLite's rowid alias is declared without NOT NULL).
        tables
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), not_null || pk > 0));
    }
    let indexes = db::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'
         ORDER BY name",
    )
    .fetch_all(db)
    .await
    .unwrap();
    (tables, indexes)
}

async fn postgres_schema(db: &Db) -> (Columns, Vec<String>) {
    let rows: Vec<(String, String, String, bool)> = db::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO'
         FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut tables = Columns::new();
    for (table, column, declared, not_null) in rows {
        if OWN_TABLES.contains(&table.as_str()) {
            continue;
        }
        tables
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), not_null));
    }
    // Primary keys and UNIQUE constraints are indexes on both; SQLite names them itself.
    let indexes = db::query_scalar(
        "SELECT i.indexname::text FROM pg_indexes i
         WHERE i.schemaname = 'public' AND NOT EXISTS (
             SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))
         ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .unwrap();
    (tables, indexes)
}

#[tokio::test]
async fn both_backends_migrations_end_in_the_same_tables_columns_and_indexes() {
    if !on_postgres() {
        eprintln!(
            "the schemas are compared when the tests run on PostgreSQL too (SUISHOUPAI_TEST_PG)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = db::open(&dir.path().join("schema.db")).await.unwrap();
    let postgres = open_db(dir.path()).await;
    let (sqlite_tables, sqlite_indexes) = sqlite_schema(&sqlite).await;
    let (postgres_tables, postgres_indexes) = postgres_schema(&postgres).await;
    assert_eq!(
        sqlite_tables.keys().collect::<Vec<_>>(),
        postgres_tables.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, columns) in &sqlite_tables {
        assert_eq!(columns, &postgres_tables[table], "the columns of {table}");
    }
    let postgres_indexes: Vec<String> = postgres_indexes
        .into_iter()
        .filter(|name| !OWN_INDEXES.contains(&name.as_str()))
        .collect();
    assert_eq!(sqlite_indexes, postgres_indexes, "the same indexes");
    assert!(sqlite_tables.len() > 25, "{} tables", sqlite_tables.len());
}
