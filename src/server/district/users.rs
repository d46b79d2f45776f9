//! 1,200 riders at once: a CSV of people (`role, name, grid, station, department, phone`, and `street` for an
//! official of one 街道; `department` and `street` may be left out) checked whole and
//! created in one transaction, each with a one-time code, and the A4 onboarding sheets a station hands out.
use crate::server::db::{self, Db};
use std::collections::HashMap;
use std::time::Duration;

use super::{csv_rows, Fault, ImportError};
use crate::domain::{enrollment_code, Place, PlaceFault, Role};
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

/// The places in service, by kind: grids, stations and departments by id (with their names), 街道 by name.
type Known = HashMap<Place, HashMap<String, String>>;

async fn places_in_service(db: &Db) -> Result<Known, sqlx::Error> {
    let mut known = Known::new();
    for (place, sql) in [
        (
            Place::Grid,
            "SELECT id, name FROM grids WHERE retired_at IS NULL",
        ),
        (
            Place::Station,
            "SELECT id, name FROM stations WHERE retired_at IS NULL",
        ),
        (
            Place::Department,
            "SELECT code, name FROM departments WHERE retired_at IS NULL",
        ),
        (
            Place::Street,
            "SELECT DISTINCT street, street FROM grids WHERE retired_at IS NULL AND street <> ''",
        ),
    ] {
        let rows: Vec<(String, String)> = db::query_as(sql).fetch_all(db).await?;
        known.insert(place, rows.into_iter().collect());
    }
    Ok(known)
}

/// What is wrong with a person's places for their role (said in Chinese, then in English): each role's own place
/// (a grid worker's grid …) must be given where the role needs it and be in service; nobody has another role's.
fn place_faults(
    role: Role,
    given: &HashMap<Place, String>,
    known: &Known,
) -> Vec<(String, String)> {
    let zh_role = crate::i18n::Lang::Zh.role_name(role);
    let mut faults: Vec<(String, String)> = role
        .place_faults(|p| given.contains_key(&p))
        .into_iter()
        .map(|fault| match fault {
            PlaceFault::Missing(p) => (
                format!("{zh_role}须填{}", p.name_zh()),
                format!("a {role} needs a {}", p.code()),
            ),
            PlaceFault::NotAllowed(p) => (
                format!("{zh_role}不填{}", p.name_zh()),
                format!("a {role} has no {}", p.code()),
            ),
        })
        .collect();
    if let Some((own, _)) = role.place() {
        if let Some(value) = given.get(&own) {
            if !known.get(&own).is_some_and(|k| k.contains_key(value)) {
                faults.push((
                    format!("没有在用的{}“{value}”", own.name_zh()),
                    format!("no {} \"{value}\" in service", own.code()),
                ));
            }
        }
    }
    faults
}

/// A row as checked: what will be created.
struct Person {
    role: Role,
    name: String,
    places: HashMap<Place, String>,
    phone: Option<String>,
}

/// Checks every row against the file and the database; all faults, or the people to create.
async fn check(db: &Db, bytes: &[u8]) -> Result<Vec<Person>, ImportError> {
    let rows = csv_rows(bytes, &COLUMNS).map_err(ImportError::Refused)?;
    let known = places_in_service(db).await?;
    let lock = crate::server::phones::PhoneLock::of(db)?;
    let phones: Vec<(String, Option<String>)> = db::query_as(
        "SELECT phone, phone_lookup FROM users WHERE phone IS NOT NULL AND revoked_at IS NULL",
    )
    .fetch_all(db)
    .await?;
    // Keyed by each number's lookup hash (a number stored before sealing has none yet: made from the number).
    let mut taken = HashMap::new();
    for (phone, lookup) in phones {
        let lookup = match lookup {
            Some(l) => l,
            None => lock.lookup(&lock.open(&phone)?),
        };
        taken.insert(lookup, "an existing user".to_owned());
    }
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
            let all: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
            fault(
                format!("没有“{}”这种角色（{}）", r["role"], all.join("、")),
                format!("unknown role \"{}\" ({})", r["role"], all.join(", ")),
            );
        }
        if r["name"].is_empty() {
            fault("姓名为空".into(), "the name is empty".into());
        }
        // `street` (an official's 街道) is an optional column.
        let places: HashMap<Place, String> = Place::ALL
            .into_iter()
            .filter_map(|p| Some((p, r.get(p.code()).filter(|v| !v.is_empty())?.clone())))
            .collect();
        if let Some(role) = role {
            for (zh, en) in place_faults(role, &places, &known) {
                fault(zh, en);
            }
        }
        let phone = match r.get("phone").filter(|v| !v.is_empty()).cloned() {
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
                    if let Some(first) = taken.get(&lock.lookup(&p)) {
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
                        taken.insert(lock.lookup(&p), format!("row {row}"));
                    }
                    Some(p)
                }
            },
        };
        if let Some(role) = role {
            people.push(Person {
                role,
                name: r["name"].clone(),
                places,
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
    db: &Db,
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
    let phones = crate::server::phones::PhoneLock::of(db)?;
    let known = places_in_service(db).await?;
    let now = unix_now();
    let mut made = Vec::with_capacity(people.len());
    let mut tx = db.begin().await?;
    for p in people {
        let id = uuid::Uuid::now_v7().to_string();
        let at = |place| p.places.get(&place);
        db::query(
            "INSERT INTO users (id, name, role, grid_id, station_id, department_id, street, phone, pass_secret,
                                created_at, phone_lookup)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&p.name)
        .bind(p.role.code())
        .bind(at(Place::Grid))
        .bind(at(Place::Station))
        .bind(at(Place::Department))
        .bind(at(Place::Street))
        .bind(p.phone.as_deref().map(|n| phones.seal(n)).transpose()?)
        .bind(new_pass_secret()?)
        .bind(now)
        .bind(p.phone.as_deref().map(|n| phones.lookup(n)))
        .execute(&mut tx)
        .await?;
        let code = new_enrollment_code()?;
        db::query("INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(code_hash(&key, &code))
            .bind(&id)
            .bind(now)
            .bind(now + ttl.as_secs() as i64)
            .execute(&mut tx)
            .await?;
        let place = p.role.place().and_then(|(own, _)| {
            let value = p.places.get(&own)?;
            known[&own].get(value).cloned()
        });
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
    db::query(
        "INSERT INTO audit_log (at, actor, action, summary) VALUES (?, ?, 'import users', ?)",
    )
    .bind(crate::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc(),
    ))
    .bind(actor)
    .bind(serde_json::json!({"created": made.len(), "by_role": by_role}).to_string())
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(made)
}

/// A new code for every user of a grid, station or department who has not enrolled yet (their earlier codes stop
/// working): the sheets of an onboarding day that slipped can be printed again.
pub async fn reissue_unenrolled(
    db: &Db,
    place: Place,
    value: &str,
    ttl: Duration,
    actor: &str,
) -> anyhow::Result<Vec<Onboarded>> {
    let rows: Vec<(String, String, String, Option<String>)> = db::query_as(
        "SELECT u.id, u.name, u.role, COALESCE(g.name, s.name, d.name, u.street) FROM users u
         LEFT JOIN grids g ON g.id = u.grid_id LEFT JOIN stations s ON s.id = u.station_id
         LEFT JOIN departments d ON d.code = u.department_id
         WHERE u.revoked_at IS NULL
           AND CASE ?1 WHEN 'grid' THEN u.grid_id WHEN 'station' THEN u.station_id
                       WHEN 'department' THEN u.department_id ELSE u.street END = ?2
           AND NOT EXISTS (SELECT 1 FROM enrollment_codes c WHERE c.user_id = u.id AND c.used_at IS NOT NULL)
         ORDER BY u.created_at, u.id",
    )
    .bind(place.code())
    .bind(value)
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
    db::query(
        "INSERT INTO audit_log (at, actor, action, summary) VALUES (?, ?, 'reissue codes', ?)",
    )
    .bind(crate::domain::timestamp::format_time(
        time::OffsetDateTime::now_utc(),
    ))
    .bind(actor)
    .bind(serde_json::json!({place.code(): value, "codes": made.len()}).to_string())
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
