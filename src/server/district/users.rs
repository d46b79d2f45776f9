//! 1,200 riders at once: a CSV of people (`role, name, grid, station, department, phone`) checked whole and
//! created in one transaction, each with a one-time code, and the A4 onboarding sheets a station hands out.
use std::collections::HashMap;
use std::time::Duration;

use sqlx::SqlitePool;

use super::{csv_rows, Fault, ImportError};
use crate::domain::{enrollment_code, Role};
use crate::server::accounts::unix_now;
use crate::server::secret::{code_hash, code_key, new_enrollment_code, new_pass_secret};

const COLUMNS: [&str; 5] = ["role", "name", "grid", "station", "phone"];

/// One person made, with their code (shown once: only its keyed hash is kept).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Onboarded {
    pub user_id: String,
    pub name: String,
    pub role: Role,
    /// The grid's or station's name, for the sheet.
    pub place: Option<String>,
    pub code: String,
}

/// A mainland mobile number: 11 digits starting with 1[3-9] (spaces and hyphens ignored).
fn mobile(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let b = digits.as_bytes();
    (b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit))
    .then_some(digits)
}

/// What is wrong with a person's grid and station for their role (said in Chinese, then in English): a grid worker
/// needs a grid in service and a station staff member a station in service; nobody else has either.
fn place_faults(
    role: Role,
    grid: Option<&str>,
    station: Option<&str>,
    grids: &HashMap<String, String>,
    stations: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let zh_role = crate::i18n::Lang::Zh.role_name(role);
    let mut faults = Vec::new();
    for (needed_by, given, known, zh, en) in [
        (Role::GridWorker, grid, grids, "网格", "grid"),
        (Role::StationStaff, station, stations, "驿站", "station"),
    ] {
        match given {
            None if role == needed_by => faults.push((
                format!("{zh_role}须填{zh}"),
                format!("a {role} needs a {en}"),
            )),
            Some(g) if role == needed_by && !known.contains_key(g) => faults.push((
                format!("没有在用的{zh}“{g}”"),
                format!("no {en} \"{g}\" in service"),
            )),
            Some(_) if role != needed_by => faults.push((
                format!("{zh_role}不填{zh}"),
                format!("a {role} has no {en}"),
            )),
            _ => {}
        }
    }
    faults
}

/// A row as checked: what will be created.
struct Person {
    role: Role,
    name: String,
    grid: Option<String>,
    station: Option<String>,
    phone: Option<String>,
}

/// Checks every row against the file and the database; all faults, or the people to create.
async fn check(db: &SqlitePool, bytes: &[u8]) -> Result<Vec<Person>, ImportError> {
    let rows = csv_rows(bytes, &COLUMNS).map_err(ImportError::Refused)?;
    let in_service = |table: &str| format!("SELECT id, name FROM {table} WHERE retired_at IS NULL");
    let grids: HashMap<String, String> = sqlx::query_as(&in_service("grids"))
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
    let stations: HashMap<String, String> = sqlx::query_as(&in_service("stations"))
        .fetch_all(db)
        .await?
        .into_iter()
        .collect();
    let phones: Vec<(String,)> =
        sqlx::query_as("SELECT phone FROM users WHERE phone IS NOT NULL AND revoked_at IS NULL")
            .fetch_all(db)
            .await?;
    let mut taken: HashMap<String, String> = phones
        .into_iter()
        .map(|(p,)| (p, "an existing user".to_owned()))
        .collect();
    let mut faults = Vec::new();
    let mut people = Vec::new();
    for (row, r) in rows {
        let at = format!(
            "row {row} ({})",
            if r["name"].is_empty() {
                "no name"
            } else {
                r["name"].as_str()
            }
        );
        let mut fault = |zh: String, en: String| faults.push(Fault::new(&at, zh, en));
        let role = Role::from_code(&r["role"]);
        if role.is_none() {
            fault(
                format!(
                    "没有“{}”这种角色（rider、grid_worker、station_staff 或 admin）",
                    r["role"]
                ),
                format!(
                    "unknown role \"{}\" (rider, grid_worker, station_staff or admin)",
                    r["role"]
                ),
            );
        }
        if r["name"].is_empty() {
            fault("姓名为空".into(), "the name is empty".into());
        }
        let some = |k: &str| Some(r[k].clone()).filter(|v| !v.is_empty());
        let (grid, station) = (some("grid"), some("station"));
        if let Some(role) = role {
            for (zh, en) in
                place_faults(role, grid.as_deref(), station.as_deref(), &grids, &stations)
            {
                fault(zh, en);
            }
        }
        if r.get("department").is_some_and(|d| !d.is_empty()) {
            fault(
                "目前还没有需要填部门的角色".into(),
                "no role here takes a department yet".into(),
            );
        }
        let phone = match some("phone") {
            None => None,
            Some(typed) => match mobile(&typed) {
                None => {
                    fault(
                        format!("手机号“{typed}”不是 11 位手机号码"),
                        format!("the phone \"{typed}\" is not an 11-digit mobile number"),
                    );
                    None
                }
                Some(p) => {
                    if let Some(first) = taken.get(&p) {
                        let first_zh = crate::domain::district::place_zh(first);
                        fault(
                            format!(
                                "手机号 {p} 已经是{}的",
                                if first == "an existing user" {
                                    "已有用户"
                                } else {
                                    first_zh.as_str()
                                }
                            ),
                            format!("the phone {p} is already {first}'s"),
                        );
                    } else {
                        taken.insert(p.clone(), format!("row {row}"));
                    }
                    Some(p)
                }
            },
        };
        if let Some(role) = role {
            people.push(Person {
                role,
                name: r["name"].clone(),
                grid,
                station,
                phone,
            });
        }
    }
    if faults.is_empty() {
        Ok(people)
    } else {
        Err(ImportError::Refused(faults))
    }
}

/// Creates everyone in the file with a code each, or nobody (the faults named). `dry_run`: check only.
pub async fn import_users(
    db: &SqlitePool,
    bytes: &[u8],
    ttl: Duration,
    actor: &str,
    dry_run: bool,
) -> Result<Vec<Onboarded>, ImportError> {
    let people = check(db, bytes).await?;
    if dry_run {
        return Ok(vec![]);
    }
    let key = code_key(db)?;
    let names: HashMap<String, String> =
        sqlx::query_as("SELECT id, name FROM grids UNION ALL SELECT id, name FROM stations")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    let now = unix_now();
    let mut made = Vec::with_capacity(people.len());
    let mut tx = db.begin().await?;
    for p in people {
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO users (id, name, role, grid_id, station_id, phone, pass_secret, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&p.name)
        .bind(p.role.code())
        .bind(&p.grid)
        .bind(&p.station)
        .bind(&p.phone)
        .bind(new_pass_secret()?)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let code = new_enrollment_code()?;
        sqlx::query("INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(code_hash(&key, &code))
            .bind(&id)
            .bind(now)
            .bind(now + ttl.as_secs() as i64)
            .execute(&mut *tx)
            .await?;
        let place = p
            .grid
            .as_ref()
            .or(p.station.as_ref())
            .and_then(|k| names.get(k).cloned());
        made.push(Onboarded {
            user_id: id,
            name: p.name,
            role: p.role,
            place,
            code,
        });
    }
    let mut by_role: std::collections::BTreeMap<&str, usize> = Default::default();
    for m in &made {
        *by_role.entry(m.role.code()).or_default() += 1;
    }
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, summary) VALUES (?, ?, 'import users', ?)",
    )
    .bind(crate::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc(),
    ))
    .bind(actor)
    .bind(serde_json::json!({"created": made.len(), "by_role": by_role}).to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(made)
}

/// A new code for every user of a grid or station who has not enrolled yet (their earlier codes stop working):
/// the sheets of an onboarding day that slipped can be printed again.
pub async fn reissue_unenrolled(
    db: &SqlitePool,
    grid: Option<&str>,
    station: Option<&str>,
    ttl: Duration,
    actor: &str,
) -> anyhow::Result<Vec<Onboarded>> {
    let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.name, u.role, COALESCE(g.name, s.name) FROM users u
         LEFT JOIN grids g ON g.id = u.grid_id LEFT JOIN stations s ON s.id = u.station_id
         WHERE u.revoked_at IS NULL AND (?1 IS NULL OR u.grid_id = ?1) AND (?2 IS NULL OR u.station_id = ?2)
           AND NOT EXISTS (SELECT 1 FROM enrollment_codes c WHERE c.user_id = u.id AND c.used_at IS NOT NULL)
         ORDER BY u.created_at, u.id",
    )
    .bind(grid)
    .bind(station)
    .fetch_all(db)
    .await?;
    let mut made = Vec::with_capacity(rows.len());
    for (user_id, name, role, place) in rows {
        let code = crate::server::accounts::issue_code(db, &user_id, ttl).await?;
        let role = Role::from_code(&role).ok_or_else(|| anyhow::anyhow!("role {role}"))?;
        made.push(Onboarded {
            user_id,
            name,
            role,
            place,
            code,
        });
    }
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, summary) VALUES (?, ?, 'reissue codes', ?)",
    )
    .bind(crate::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc(),
    ))
    .bind(actor)
    .bind(serde_json::json!({"grid": grid, "station": station, "codes": made.len()}).to_string())
    .execute(db)
    .await?;
    Ok(made)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The onboarding sheets: A4 pages of cards (two across, four down), each with the person's name, role, grid or
/// station, the code as a QR code and as text, and the day the codes lapse (`ttl` from now). `url`: where the app
/// is, printed on each card.
pub fn onboarding_sheet(
    people: &[Onboarded],
    url: Option<&str>,
    ttl: Duration,
) -> anyhow::Result<String> {
    let lapse = time::OffsetDateTime::now_utc() + time::Duration::seconds(ttl.as_secs() as i64);
    let expires = format!(
        "{}-{:02}-{:02}",
        lapse.year(),
        lapse.month() as u8,
        lapse.day()
    );
    let mut cards = String::new();
    for p in people {
        let qr = crate::domain::qr::svg(&p.code, 120)
            .ok_or_else(|| anyhow::anyhow!("QR code of {}", p.user_id))?;
        cards.push_str(&format!(
            r#"<section class="card"><div class="qr">{qr}</div><div class="who"><h2>{name}</h2><p class="role">{role}{place}</p><p class="code">{code}</p><p class="how">打开随手拍{url}，点「扫码登录」扫左边的码，或输入上面的登录码。登录码只能用一次，{expires} 前有效。</p></div></section>
"#,
            name = escape(&p.name),
            role = crate::i18n::Lang::Zh.role_name(p.role),
            place = p.place.as_deref().map(|n| format!(" · {}", escape(n))).unwrap_or_default(),
            code = enrollment_code::display(&p.code),
            url = url.map(|u| format!("（{}）", escape(u))).unwrap_or_default(),
        ));
    }
    Ok(format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>随手拍 登录卡（{n} 人）</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ margin: 0; font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; color: #111; }}
h1 {{ font-size: 14pt; margin: 0 0 4mm; }}
.cards {{ display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }}
.card {{ display: flex; gap: 3mm; border: 0.4mm dashed #888; padding: 3mm; height: 60mm; box-sizing: border-box;
        break-inside: avoid; page-break-inside: avoid; }}
.qr svg {{ width: 38mm; height: 38mm; }}
.who h2 {{ font-size: 15pt; margin: 0 0 1mm; }}
.role {{ margin: 0; font-size: 10pt; color: #333; }}
.code {{ font: bold 15pt/1.4 monospace; letter-spacing: 0.5mm; margin: 2mm 0; }}
.how {{ font-size: 8.5pt; margin: 0; color: #333; }}
@media screen {{ body {{ max-width: 190mm; margin: 8mm auto; }} }}
</style></head>
<body><h1>随手拍 登录卡 · {n} 人 · 沿虚线剪开，每人一张</h1><div class="cards">
{cards}</div></body></html>
"#,
        n = people.len(),
    ))
}
