//! Queries that run on either backend. A query is written once, with `?` (or `?N`) placeholders as SQLite reads
//! them; on PostgreSQL they become `$N`. Its arguments are kept as [`Arg`]s and bound to whichever backend runs it;
//! its rows are decoded by the same `sqlx::FromRow` types on both. SQL that differs between the backends is chosen
//! by the caller ([`Backend`]).
use std::borrow::Cow;
use std::marker::PhantomData;

use futures_util::stream::BoxStream;
use futures_util::StreamExt as _;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments as _, Decode, FromRow, Postgres, Sqlite, Type};

use super::{Backend, On};

/// One argument of a query, owned or borrowed for the query's lifetime. `None` is SQL `NULL` of that type.
#[derive(Debug, Clone)]
pub enum Arg<'q> {
    Str(Option<&'q str>),
    String(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Bytes(Option<&'q [u8]>),
    Blob(Option<Vec<u8>>),
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr;)*) => {$(
        impl<'q> From<$t> for Arg<'q> {
            fn from($v: $t) -> Self { $e }
        }
    )*};
}

arg_from! {
    &'q str => |v| Arg::Str(Some(v));
    &'q String => |v| Arg::Str(Some(v.as_str()));
    String => |v| Arg::String(Some(v));
    Option<&'q str> => |v| Arg::Str(v);
    Option<String> => |v| Arg::String(v);
    &'q Option<String> => |v| Arg::Str(v.as_deref());
    Option<&'q String> => |v| Arg::Str(v.map(String::as_str));
    Cow<'q, str> => |v| match v { Cow::Borrowed(s) => Arg::Str(Some(s)), Cow::Owned(s) => Arg::String(Some(s)) };
    i64 => |v| Arg::Int(Some(v));
    &'q i64 => |v| Arg::Int(Some(*v));
    i32 => |v| Arg::Int(Some(v.into()));
    u32 => |v| Arg::Int(Some(v.into()));
    u8 => |v| Arg::Int(Some(v.into()));
    Option<i64> => |v| Arg::Int(v);
    Option<i32> => |v| Arg::Int(v.map(Into::into));
    Option<u32> => |v| Arg::Int(v.map(Into::into));
    f64 => |v| Arg::Float(Some(v));
    Option<f64> => |v| Arg::Float(v);
    bool => |v| Arg::Bool(Some(v));
    Option<bool> => |v| Arg::Bool(v);
    &'q [u8] => |v| Arg::Bytes(Some(v));
    &'q Vec<u8> => |v| Arg::Bytes(Some(v.as_slice()));
    Vec<u8> => |v| Arg::Blob(Some(v));
}

impl<'a, 'q> From<&'a &'q str> for Arg<'q> {
    fn from(v: &'a &'q str) -> Self {
        Arg::Str(Some(v))
    }
}

fn sqlite_args<'q>(args: Vec<Arg<'q>>) -> sqlx::Result<SqliteArguments<'q>> {
    let mut out = SqliteArguments::default();
    for arg in args {
        match arg {
            Arg::Str(v) => out.add(v),
            Arg::String(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
            Arg::Blob(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

fn pg_args(args: Vec<Arg<'_>>) -> sqlx::Result<PgArguments> {
    let mut out = PgArguments::default();
    for arg in args {
        match arg {
            Arg::Str(v) => out.add(v),
            Arg::String(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Float(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
            Arg::Blob(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

/// The SQL as PostgreSQL reads it: SQLite's `?` and `?N` placeholders become `$N` (outside quoted text).
pub fn pg_sql(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = digits.parse().unwrap_or(next);
                next = next.max(n + 1);
                out.push('$');
                out.push_str(&n.to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// What [`query`] was done to: how many rows it changed.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// A row type both backends decode.
pub trait Row: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}
impl<T> Row for T where T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>
{}

/// A single value both backends decode.
pub trait Value:
    Send
    + Unpin
    + for<'r> Decode<'r, Sqlite>
    + Type<Sqlite>
    + for<'r> Decode<'r, Postgres>
    + Type<Postgres>
{
}
impl<T> Value for T where
    T: Send
        + Unpin
        + for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + for<'r> Decode<'r, Postgres>
        + Type<Postgres>
{
}

/// A statement and its arguments, for either backend.
pub struct Query<'q, O = ()> {
    sql: Cow<'q, str>,
    args: Vec<Arg<'q>>,
    out: PhantomData<fn() -> O>,
}

/// A statement whose rows are not read (see [`Query::execute`]).
pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q, ()> {
    Query {
        sql: sql.into(),
        args: Vec::new(),
        out: PhantomData,
    }
}

/// A statement whose rows are decoded as `O` (a `sqlx::FromRow` type or a tuple).
pub fn query_as<'q, O: Row>(sql: impl Into<Cow<'q, str>>) -> Query<'q, O> {
    Query {
        sql: sql.into(),
        args: Vec::new(),
        out: PhantomData,
    }
}

/// A statement whose rows are one value each, of type `O`.
pub fn query_scalar<'q, O: Value>(sql: impl Into<Cow<'q, str>>) -> QueryScalar<'q, O> {
    QueryScalar(Query {
        sql: sql.into(),
        args: Vec::new(),
        out: PhantomData,
    })
}

/// Runs a statement `sql` with `args` (a [`Query`]'s) by the sqlx function `$build` and method `$run` on
/// whichever connection `$on` is, the answer mapped by `$map` (each backend's answer has its own type).
macro_rules! on_backend {
    ($on:expr, $query:expr, $build:ident, $run:ident, $map:expr) => {{
        let Query { sql, args, .. } = $query;
        match $on {
            On::SqlitePool(p) => sqlx::$build(&sql, sqlite_args(args)?)
                .$run(p)
                .await
                .map($map),
            On::Sqlite(c) => sqlx::$build(&sql, sqlite_args(args)?)
                .$run(c)
                .await
                .map($map),
            On::PgPool(p) => sqlx::$build(&pg_sql(&sql), pg_args(args)?)
                .$run(p)
                .await
                .map($map),
            On::Postgres(c) => sqlx::$build(&pg_sql(&sql), pg_args(args)?)
                .$run(c)
                .await
                .map($map),
        }
    }};
}

impl<'q, O> Query<'q, O> {
    pub fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Runs it; the rows it changed.
    pub async fn execute<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<Done> {
        let rows = on_backend!(on.into(), self, query_with, execute, |done| done
            .rows_affected())?;
        Ok(Done { rows })
    }
}

impl<'q, O: Row> Query<'q, O> {
    pub async fn fetch_all<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<Vec<O>> {
        on_backend!(
            on.into(),
            self,
            query_as_with,
            fetch_all,
            std::convert::identity
        )
    }

    pub async fn fetch_optional<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<Option<O>> {
        on_backend!(
            on.into(),
            self,
            query_as_with,
            fetch_optional,
            std::convert::identity
        )
    }

    pub async fn fetch_one<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<O> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The rows one at a time, for answers too large to hold (a workbook of every report).
    pub fn fetch<'e>(self, on: impl Into<On<'e>>) -> BoxStream<'e, sqlx::Result<O>>
    where
        'q: 'e,
        O: 'e,
    {
        let Query { sql, args, .. } = self;
        let on = on.into();
        let rows = async_stream(move |tx| async move {
            let sent = async {
                match on {
                    On::SqlitePool(p) => {
                        let query = sqlx::query_as_with(&sql, sqlite_args(args)?);
                        forward(query.fetch(p), &tx).await;
                    }
                    On::Sqlite(c) => {
                        let query = sqlx::query_as_with(&sql, sqlite_args(args)?);
                        forward(query.fetch(c), &tx).await;
                    }
                    On::PgPool(p) => {
                        let sql = pg_sql(&sql);
                        forward(sqlx::query_as_with(&sql, pg_args(args)?).fetch(p), &tx).await;
                    }
                    On::Postgres(c) => {
                        let sql = pg_sql(&sql);
                        forward(sqlx::query_as_with(&sql, pg_args(args)?).fetch(c), &tx).await;
                    }
                }
                sqlx::Result::Ok(())
            };
            if let Err(e) = sent.await {
                let _ = tx.send(Err(e)).await;
            }
        });
        rows.boxed()
    }
}

/// A statement whose rows are one value each (see [`query_scalar`]).
pub struct QueryScalar<'q, O>(Query<'q, (O,)>);

impl<'q, O: Value> QueryScalar<'q, O> {
    pub fn bind(self, value: impl Into<Arg<'q>>) -> Self {
        QueryScalar(self.0.bind(value))
    }

    pub async fn fetch_all<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<Vec<O>> {
        Ok(self
            .0
            .fetch_all(on)
            .await?
            .into_iter()
            .map(|(v,)| v)
            .collect())
    }

    pub async fn fetch_optional<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<Option<O>> {
        Ok(self.0.fetch_optional(on).await?.map(|(v,)| v))
    }

    pub async fn fetch_one<'e>(self, on: impl Into<On<'e>>) -> sqlx::Result<O> {
        Ok(self.0.fetch_one(on).await?.0)
    }
}

/// Sends a stream's items to a channel, one at a time, until either ends.
async fn forward<T>(
    mut rows: impl futures_util::Stream<Item = sqlx::Result<T>> + Unpin,
    tx: &tokio::sync::mpsc::Sender<sqlx::Result<T>>,
) {
    while let Some(row) = rows.next().await {
        if tx.send(row).await.is_err() {
            return;
        }
    }
}

/// A stream fed by `produce` through a small channel: the rows of a query that borrows what `produce` owns.
fn async_stream<'e, T: Send + 'e, F>(
    produce: impl FnOnce(tokio::sync::mpsc::Sender<sqlx::Result<T>>) -> F + Send + 'e,
) -> impl futures_util::Stream<Item = sqlx::Result<T>> + Send + 'e
where
    F: std::future::Future<Output = ()> + Send + 'e,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let work = produce(tx);
    let rows =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|row| (row, rx)) },
        );
    futures_util::stream::select(
        futures_util::stream::once(work).filter_map(|()| async { None }),
        rows,
    )
}

impl Backend {
    /// A table of the elements of the JSON array of text `expr`, in one column named `value` (give it an alias).
    pub fn json_values(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_each({expr})"),
            Backend::Postgres => format!("json_array_elements_text(({expr})::json)"),
        }
    }

    /// One of two texts of a statement, by backend.
    pub fn pick<'s>(self, sqlite: &'s str, postgres: &'s str) -> &'s str {
        match self {
            Backend::Sqlite => sqlite,
            Backend::Postgres => postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pg_sql;

    #[test]
    fn placeholders_become_numbered_outside_quotes() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(
            pg_sql("UPDATE t SET a = ?2 WHERE id = ?1 AND b = ?2"),
            "UPDATE t SET a = $2 WHERE id = $1 AND b = $2"
        );
        assert_eq!(
            pg_sql("SELECT '?' , \"a?\" FROM t WHERE x = ?"),
            "SELECT '?' , \"a?\" FROM t WHERE x = $1"
        );
        assert_eq!(pg_sql("SELECT 1"), "SELECT 1");
    }
}
