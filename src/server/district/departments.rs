//! The departments 部门联处 (吹哨报到) calls on: a CSV of `code, name`.
use crate::server::db::{self, Tx};

use super::{csv_file, csv_rows, duplicate_keys, Fault, Kind, Reference};
use crate::domain::category::Department;

const COLUMNS: [&str; 2] = ["code", "name"];

/// What a bad code is told, in Chinese and in English.
pub const CODE_ZH: &str = "编码只能用小写字母、数字、- 或 _（最多 64 个）";
pub const CODE_EN: &str = "the code must be lower-case letters, digits, - or _ (at most 64)";

/// A code as ids are written everywhere: lower-case letters, digits, `-` and `_`.
pub fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub struct Departments;

impl Reference for Departments {
    type Item = Department;
    const KIND: Kind = Kind::Departments;
    const TABLE: (&'static str, &'static str) = ("departments", "code");

    fn key(item: &Department) -> &str {
        &item.code
    }

    fn parse(bytes: &[u8], _name: &str) -> Result<Vec<Department>, Vec<Fault>> {
        let rows = csv_rows(bytes, &COLUMNS)?;
        let mut faults = Vec::new();
        let mut items = Vec::new();
        for (row, r) in rows {
            let (code, name) = (r["code"].clone(), r["name"].clone());
            let at = format!("row {row} (code \"{code}\")");
            if !is_code(&code) {
                faults.push(Fault::new(&at, CODE_ZH, CODE_EN));
            }
            if name.is_empty() {
                faults.push(Fault::new(&at, "名称为空", "the name is empty"));
            }
            items.push((
                at,
                Department {
                    code,
                    name,
                    retired: false,
                },
            ));
        }
        faults.extend(duplicate_keys(
            items.iter().map(|(at, d)| (at.clone(), d.code.as_str())),
            "code",
        ));
        if faults.is_empty() {
            Ok(items.into_iter().map(|(_, d)| d).collect())
        } else {
            Err(faults)
        }
    }

    /// A department the categories in service still name may not be left out.
    async fn check(tx: &mut Tx, items: &[Department]) -> anyhow::Result<Vec<Fault>> {
        let named: Vec<(String, String)> = db::query_as(
            "SELECT department, code FROM categories
             WHERE retired_at IS NULL AND department IS NOT NULL ORDER BY department, code",
        )
        .fetch_all(&mut *tx)
        .await?;
        Ok(named
            .into_iter()
            .filter(|(d, _)| !items.iter().any(|i| &i.code == d))
            .map(|(d, category)| {
                Fault::new(
                    format!("department \"{d}\""),
                    format!("文件里没有它，但类别“{category}”还指向它（先导入不再指向它的两张清单）"),
                    format!("missing from the file, but the category \"{category}\" names it (import the categories without it first)"),
                )
            })
            .collect())
    }

    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(Department, bool)>> {
        let rows: Vec<(String, String, bool)> = db::query_as(
            "SELECT code, name, retired_at IS NOT NULL FROM departments ORDER BY code",
        )
        .fetch_all(&mut *tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(code, name, retired)| {
                (
                    Department {
                        code,
                        name,
                        retired: false,
                    },
                    retired,
                )
            })
            .collect())
    }

    async fn put(tx: &mut Tx, d: &Department, seq: i64) -> anyhow::Result<()> {
        db::query(
            "INSERT INTO departments (code, name, retired_at, change_seq) VALUES (?1, ?2, NULL, ?3)
             ON CONFLICT (code) DO UPDATE SET name = ?2, retired_at = NULL, change_seq = ?3",
        )
        .bind(&d.code)
        .bind(&d.name)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    fn write(items: &[Department]) -> anyhow::Result<Vec<u8>> {
        csv_file(
            &COLUMNS,
            items
                .iter()
                .map(|d| vec![d.code.clone(), d.name.clone()])
                .collect(),
        )
    }
}
