//! The 两张清单 as the categories' file: per category its names, the department responsible, and the deadlines to
//! respond and to resolve at each level, and for the called department to answer (报到). An empty deadline takes
//! the server's default (`serve --respond-minutes …`).
use crate::server::db::{self, Tx};

use time::Duration;

use super::departments::{is_code, CODE_EN, CODE_ZH};
use super::{csv_file, csv_rows, duplicate_keys, Fault, Kind, Reference};
use crate::domain::task::DeadlineRules;

const COLUMNS: [&str; 9] = [
    "code",
    "name_zh",
    "name_en",
    "department",
    "respond_minutes",
    "respond_urgent_minutes",
    "resolve_hours_1",
    "resolve_hours_2",
    "resolve_hours_3",
];

/// A column a file may leave out (files from before it came take the default): the hours a called department has
/// to answer (报到).
const ACKNOWLEDGE_HOURS: &str = "acknowledge_hours";

/// One row of the 清单.
#[derive(Debug, Clone, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct CategoryRules {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub department: Option<String>,
    pub respond_minutes: Option<i64>,
    pub respond_urgent_minutes: Option<i64>,
    pub resolve_hours_1: Option<i64>,
    pub resolve_hours_2: Option<i64>,
    pub resolve_hours_3: Option<i64>,
    pub acknowledge_hours: Option<i64>,
    /// The place in the list the phone offers.
    pub sort_order: i64,
}

impl CategoryRules {
    /// The deadlines for this category: its own where the 清单 sets them, else `defaults`.
    pub fn deadlines(&self, defaults: DeadlineRules) -> DeadlineRules {
        let or = |own: Option<i64>, unit: fn(i64) -> Duration, d: Duration| own.map_or(d, unit);
        DeadlineRules {
            respond: or(self.respond_minutes, Duration::minutes, defaults.respond),
            respond_urgent: or(
                self.respond_urgent_minutes,
                Duration::minutes,
                defaults.respond_urgent,
            ),
            resolve: [
                or(self.resolve_hours_1, Duration::hours, defaults.resolve[0]),
                or(self.resolve_hours_2, Duration::hours, defaults.resolve[1]),
                or(self.resolve_hours_3, Duration::hours, defaults.resolve[2]),
            ],
            acknowledge: or(
                self.acknowledge_hours,
                Duration::hours,
                defaults.acknowledge,
            ),
        }
    }
}

const SELECT: &str =
    "SELECT code, name_zh, name_en, department, respond_minutes, respond_urgent_minutes,
    resolve_hours_1, resolve_hours_2, resolve_hours_3, acknowledge_hours, sort_order FROM categories";

/// The 清单's row of `category` (none for a category it does not know).
pub async fn rules_for(db: &mut Tx, category: &str) -> anyhow::Result<Option<CategoryRules>> {
    Ok(db::query_as(format!("{SELECT} WHERE code = ?"))
        .bind(category)
        .fetch_optional(db)
        .await?)
}

/// The deadlines of tasks of `category`.
pub async fn deadlines_for(
    db: &mut Tx,
    category: &str,
    defaults: DeadlineRules,
) -> anyhow::Result<DeadlineRules> {
    let rules = rules_for(db, category).await?;
    Ok(rules.map_or(defaults, |r| r.deadlines(defaults)))
}

pub struct Categories;

impl Reference for Categories {
    type Item = CategoryRules;
    const KIND: Kind = Kind::Categories;
    const TABLE: (&'static str, &'static str) = ("categories", "code");

    fn key(item: &CategoryRules) -> &str {
        &item.code
    }

    fn parse(bytes: &[u8], _name: &str) -> Result<Vec<CategoryRules>, Vec<Fault>> {
        let rows = csv_rows(bytes, &COLUMNS)?;
        let mut faults = Vec::new();
        let mut items = Vec::new();
        for (i, (row, r)) in rows.into_iter().enumerate() {
            let at = format!("row {row} (code \"{}\")", r["code"]);
            let mut fault = |zh: String, en: String| faults.push(Fault::new(&at, zh, en));
            if !is_code(&r["code"]) {
                fault(CODE_ZH.into(), CODE_EN.into());
            }
            for name in ["name_zh", "name_en"] {
                if r[name].is_empty() {
                    fault(format!("{name} 为空"), format!("{name} is empty"));
                }
            }
            let mut number = |name: &str| -> Option<i64> {
                let text = r.get(name).map_or("", String::as_str);
                if text.is_empty() {
                    return None;
                }
                match text.parse::<i64>() {
                    Ok(n) if (1..=100_000).contains(&n) => Some(n),
                    _ => {
                        fault(
                            format!("{name} 须是 1 到 100000 的整数，留空则用默认值（不能是“{text}”）"),
                            format!("{name} must be a whole number from 1 to 100000, or empty for the default (not \"{text}\")"),
                        );
                        None
                    }
                }
            };
            let item = CategoryRules {
                respond_minutes: number("respond_minutes"),
                respond_urgent_minutes: number("respond_urgent_minutes"),
                resolve_hours_1: number("resolve_hours_1"),
                resolve_hours_2: number("resolve_hours_2"),
                resolve_hours_3: number("resolve_hours_3"),
                acknowledge_hours: number(ACKNOWLEDGE_HOURS),
                code: r["code"].clone(),
                name_zh: r["name_zh"].clone(),
                name_en: r["name_en"].clone(),
                department: Some(r["department"].clone()).filter(|d| !d.is_empty()),
                sort_order: i as i64,
            };
            items.push((at, item));
        }
        faults.extend(duplicate_keys(
            items.iter().map(|(at, c)| (at.clone(), c.code.as_str())),
            "code",
        ));
        if faults.is_empty() {
            Ok(items.into_iter().map(|(_, c)| c).collect())
        } else {
            Err(faults)
        }
    }

    async fn check(tx: &mut Tx, items: &[CategoryRules]) -> anyhow::Result<Vec<Fault>> {
        let known: Vec<(String,)> =
            db::query_as("SELECT code FROM departments WHERE retired_at IS NULL")
                .fetch_all(&mut *tx)
                .await?;
        Ok(items
            .iter()
            .filter_map(|c| {
                let d = c.department.as_deref()?;
                (!known.iter().any(|(k,)| k == d)).then(|| {
                    Fault::new(
                        format!("row {} (code \"{}\")", c.sort_order + 2, c.code),
                        format!("没有部门“{d}”（先导入部门）"),
                        format!("no department \"{d}\" (import it with the departments first)"),
                    )
                })
            })
            .collect())
    }

    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(CategoryRules, bool)>> {
        let rows: Vec<(String,)> =
            db::query_as("SELECT code FROM categories WHERE retired_at IS NOT NULL")
                .fetch_all(&mut *tx)
                .await?;
        let items: Vec<CategoryRules> = db::query_as(format!("{SELECT} ORDER BY sort_order, code"))
            .fetch_all(&mut *tx)
            .await?;
        // The place in the list counts among the categories in service: retiring one moves no other.
        let mut rank = 0;
        Ok(items
            .into_iter()
            .map(|mut c| {
                let retired = rows.iter().any(|(r,)| *r == c.code);
                if !retired {
                    c.sort_order = rank;
                    rank += 1;
                }
                (c, retired)
            })
            .collect())
    }

    async fn put(tx: &mut Tx, c: &CategoryRules, seq: i64) -> anyhow::Result<()> {
        db::query(
            "INSERT INTO categories (code, name_zh, name_en, department, respond_minutes, respond_urgent_minutes,
                 resolve_hours_1, resolve_hours_2, resolve_hours_3, sort_order, retired_at, change_seq,
                 acknowledge_hours)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL, ?11, ?12)
             ON CONFLICT (code) DO UPDATE SET name_zh = ?2, name_en = ?3, department = ?4, respond_minutes = ?5,
                 respond_urgent_minutes = ?6, resolve_hours_1 = ?7, resolve_hours_2 = ?8, resolve_hours_3 = ?9,
                 sort_order = ?10, retired_at = NULL, change_seq = ?11, demo = FALSE, acknowledge_hours = ?12",
        )
        .bind(&c.code)
        .bind(&c.name_zh)
        .bind(&c.name_en)
        .bind(&c.department)
        .bind(c.respond_minutes)
        .bind(c.respond_urgent_minutes)
        .bind(c.resolve_hours_1)
        .bind(c.resolve_hours_2)
        .bind(c.resolve_hours_3)
        .bind(c.sort_order)
        .bind(seq)
        .bind(c.acknowledge_hours)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    fn write(items: &[CategoryRules]) -> anyhow::Result<Vec<u8>> {
        let n = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let rows = items
            .iter()
            .map(|c| {
                vec![
                    c.code.clone(),
                    c.name_zh.clone(),
                    c.name_en.clone(),
                    c.department.clone().unwrap_or_default(),
                    n(c.respond_minutes),
                    n(c.respond_urgent_minutes),
                    n(c.resolve_hours_1),
                    n(c.resolve_hours_2),
                    n(c.resolve_hours_3),
                    n(c.acknowledge_hours),
                ]
            })
            .collect();
        let mut columns = COLUMNS.to_vec();
        columns.push(ACKNOWLEDGE_HOURS);
        csv_file(&columns, rows)
    }
}
