//! Accounts in SQLite: creating users, issuing and redeeming one-time codes, device tokens, revocation.
use crate::server::db::{self, Db};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::secret::{
    code_hash, code_key, new_enrollment_code, new_pass_secret, new_token, sha256_hex,
};
use crate::domain::enrollment_code;
use crate::domain::{Enrollment, Place, PlaceFault, Role, User};

/// How long a new enrollment code stays valid unless configured otherwise.
pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a {role} needs --{}", place.code())]
    Missing { role: Role, place: Place },
    #[error("a {role} has no {}", place.code())]
    NotAllowed { role: Role, place: Place },
    #[error("no grid with id {0:?}")]
    UnknownGrid(String),
    #[error("no station with id {0:?}")]
    UnknownStation(String),
    #[error("no department with code {0:?} in service")]
    UnknownDepartment(String),
    #[error("no grid in service lies in the 街道 {0:?}")]
    UnknownStreet(String),
    #[error("no user with id {0:?}")]
    UnknownUser(String),
    #[error("user {0:?} is revoked")]
    Revoked(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What `user add` asks for.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Option<String>,
    pub role: Role,
    pub name: String,
    pub grid_id: Option<String>,
    pub station_id: Option<String>,
    pub department_id: Option<String>,
    pub street: Option<String>,
    pub phone: Option<String>,
}

/// A user as the admin sees them (with the phone number, which no API response carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: User,
    pub phone: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// The columns a [`UserRow`] is read from (prefix with `u.` where the users table is aliased).
pub(crate) const USER_COLUMNS: &str = "id, name, role, grid_id, station_id, department_id, street";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    name: String,
    role: String,
    grid_id: Option<String>,
    station_id: Option<String>,
    department_id: Option<String>,
    street: Option<String>,
}

impl UserRow {
    /// `None` for a role this build doesn't know.
    pub(crate) fn into_user(self) -> Option<User> {
        Some(User {
            role: Role::from_code(&self.role)?,
            id: self.id,
            name: self.name,
            grid_id: self.grid_id,
            station_id: self.station_id,
            department_id: self.department_id,
            street: self.street,
        })
    }
}

/// `Ok` when `place` names one in service: a grid, station or department by its id, a 街道 by the name its grids
/// carry.
pub(crate) async fn check_place(db: &Db, place: Place, value: &str) -> Result<(), AccountError> {
    let sql = match place {
        Place::Grid => "SELECT TRUE FROM grids WHERE id = ? AND retired_at IS NULL",
        Place::Station => "SELECT TRUE FROM stations WHERE id = ? AND retired_at IS NULL",
        Place::Department => "SELECT TRUE FROM departments WHERE code = ? AND retired_at IS NULL",
        Place::Street => "SELECT TRUE FROM grids WHERE street = ? AND retired_at IS NULL LIMIT 1",
    };
    let found: Option<(bool,)> = db::query_as(sql).bind(value).fetch_optional(db).await?;
    let value = value.to_owned();
    found.map(|_| ()).ok_or(match place {
        Place::Grid => AccountError::UnknownGrid(value),
        Place::Station => AccountError::UnknownStation(value),
        Place::Department => AccountError::UnknownDepartment(value),
        Place::Street => AccountError::UnknownStreet(value),
    })
}

pub async fn create_user(db: &Db, new: NewUser) -> Result<User, AccountError> {
    let role = new.role;
    let user = User {
        id: new.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        name: new.name,
        role,
        grid_id: new.grid_id,
        station_id: new.station_id,
        department_id: new.department_id,
        street: new.street,
    };
    if let Some(fault) = role.place_faults(|p| user.place(p).is_some()).first() {
        return Err(match *fault {
            PlaceFault::Missing(place) => AccountError::Missing { role, place },
            PlaceFault::NotAllowed(place) => AccountError::NotAllowed { role, place },
        });
    }
    for place in Place::ALL {
        if let Some(value) = user.place(place) {
            check_place(db, place, value).await?;
        }
    }
    let (sealed, lookup) = match &new.phone {
        Some(phone) => {
            let lock = super::phones::PhoneLock::of(db).map_err(AccountError::Other)?;
            (
                Some(lock.seal(phone).map_err(AccountError::Other)?),
                Some(lock.lookup(phone)),
            )
        }
        None => (None, None),
    };
    db::query(
        "INSERT INTO users (id, name, role, grid_id, station_id, department_id, street, phone, pass_secret,
                            created_at, phone_lookup)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&user.id)
    .bind(&user.name)
    .bind(role.code())
    .bind(&user.grid_id)
    .bind(&user.station_id)
    .bind(&user.department_id)
    .bind(&user.street)
    .bind(sealed)
    .bind(new_pass_secret()?)
    .bind(unix_now())
    .bind(lookup)
    .execute(db)
    .await?;
    Ok(user)
}

pub async fn find_account(db: &Db, id: &str) -> Result<Option<Account>, AccountError> {
    Ok(list_accounts_where(db, Some(id)).await?.pop())
}

pub async fn list_accounts(db: &Db) -> Result<Vec<Account>, AccountError> {
    list_accounts_where(db, None).await
}

async fn list_accounts_where(db: &Db, id: Option<&str>) -> Result<Vec<Account>, AccountError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        phone: Option<String>,
        created_at: i64,
        revoked_at: Option<i64>,
    }
    let rows: Vec<Row> = db::query_as(format!(
        "SELECT {USER_COLUMNS}, phone, created_at, revoked_at FROM users
         WHERE (?1 IS NULL OR id = ?1) AND id <> 'anonymous' ORDER BY created_at, id"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    let lock = super::phones::PhoneLock::of(db)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Account {
                user: r.user.into_user()?,
                // A number that does not open (another key) shows as missing rather than as ciphertext.
                phone: r.phone.and_then(|p| lock.open(&p).ok()),
                created_at: r.created_at,
                revoked_at: r.revoked_at,
            })
        })
        .collect())
}

/// Issues a new one-time code for the user; codes issued before and not used yet stop working.
pub async fn issue_code(db: &Db, user_id: &str, ttl: Duration) -> Result<String, AccountError> {
    let account = find_account(db, user_id)
        .await?
        .ok_or_else(|| AccountError::UnknownUser(user_id.to_owned()))?;
    if account.revoked_at.is_some() {
        return Err(AccountError::Revoked(user_id.to_owned()));
    }
    let code = new_enrollment_code()?;
    let key = code_key(db)?;
    let now = unix_now();
    let mut tx = db.begin().await?;
    db::query("DELETE FROM enrollment_codes WHERE user_id = ? AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut tx)
        .await?;
    db::query("INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
        .bind(code_hash(&key, &code))
        .bind(user_id)
        .bind(now)
        .bind(now + ttl.as_secs() as i64)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(code)
}

/// Redeems a typed code for a device token. `None` when the code is unknown, used, expired or its user revoked.
pub async fn redeem_code(
    db: &Db,
    typed_code: &str,
    device_name: &str,
) -> Result<Option<Enrollment>, AccountError> {
    let code = enrollment_code::normalize(typed_code);
    if !enrollment_code::is_well_formed(&code) {
        return Ok(None);
    }
    let now = unix_now();
    let key = code_key(db)?;
    let mut tx = db.begin().await?;
    // Marking the code used and reading its user in one statement: two phones racing with one code get one token.
    // Codes issued before the keyed hash were stored as plain SHA-256: they still work until they expire.
    let claimed: Option<(String,)> = db::query_as(
        "UPDATE enrollment_codes SET used_at = ?1
         WHERE code_hash IN (?2, ?3) AND used_at IS NULL AND expires_at > ?1
           AND user_id IN (SELECT id FROM users WHERE revoked_at IS NULL)
         RETURNING user_id",
    )
    .bind(now)
    .bind(code_hash(&key, &code))
    .bind(sha256_hex(code.as_bytes()))
    .fetch_optional(&mut tx)
    .await?;
    let Some((user_id,)) = claimed else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        pass_secret: String,
    }
    let row: Row = db::query_as(format!(
        "SELECT {USER_COLUMNS}, pass_secret FROM users WHERE id = ?"
    ))
    .bind(&user_id)
    .fetch_one(&mut tx)
    .await?;
    let pass_secret = row.pass_secret;
    let Some(user) = row.user.into_user() else {
        return Ok(None);
    };
    let token = new_token()?;
    let device: String = device_name.chars().take(100).collect();
    db::query(
        "INSERT INTO tokens (token_hash, user_id, device_name, created_at) VALUES (?, ?, ?, ?)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(&user.id)
    .bind(device)
    .bind(now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Enrollment {
        token,
        pass_secret: (user.role == Role::Rider).then_some(pass_secret),
        user,
    }))
}

/// The user a bearer token belongs to, if the token and its user are live.
pub async fn user_for_token(db: &Db, token: &str) -> Result<Option<User>, AccountError> {
    let row: Option<UserRow> = db::query_as(format!(
        "SELECT {USER_COLUMNS} FROM users
         WHERE id = (SELECT t.user_id FROM tokens t WHERE t.token_hash = ? AND t.revoked_at IS NULL)
           AND revoked_at IS NULL"
    ))
    .bind(sha256_hex(token.as_bytes()))
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(UserRow::into_user))
}

/// Moves a grid worker to another grid in service. Their old grid's open tasks stay with that grid.
pub async fn move_to_grid(db: &Db, user_id: &str, grid: &str) -> Result<(), AccountError> {
    let account = find_account(db, user_id)
        .await?
        .ok_or_else(|| AccountError::UnknownUser(user_id.to_owned()))?;
    if account.user.role != Role::GridWorker {
        return Err(AccountError::NotAllowed {
            role: account.user.role,
            place: Place::Grid,
        });
    }
    check_place(db, Place::Grid, grid).await?;
    db::query("UPDATE users SET grid_id = ? WHERE id = ?")
        .bind(grid)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Revokes the user: their tokens stop working at once and their unused codes are void.
pub async fn revoke_user(db: &Db, user_id: &str) -> Result<(), AccountError> {
    let now = unix_now();
    let mut tx = db.begin().await?;
    let updated = db::query("UPDATE users SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
        .bind(now)
        .bind(user_id)
        .execute(&mut tx)
        .await?
        .rows_affected();
    if updated == 0 {
        return Err(AccountError::UnknownUser(user_id.to_owned()));
    }
    db::query("UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut tx)
        .await?;
    db::query("DELETE FROM enrollment_codes WHERE user_id = ? AND used_at IS NULL")
        .bind(user_id)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
