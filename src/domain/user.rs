//! Who is asking: the four roles and the user as the API shows them (never with a phone number).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Role {
    Rider,
    GridWorker,
    StationStaff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Rider,
        Role::GridWorker,
        Role::StationStaff,
        Role::Admin,
    ];

    /// The stable code used on the wire, in the database and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Rider => "rider",
            Role::GridWorker => "grid_worker",
            Role::StationStaff => "station_staff",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::from_code(s).ok_or_else(|| {
            let all: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
            format!("unknown role {s:?}; one of: {}", all.join(", "))
        })
    }
}

/// `User` of PROTOCOL.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_id: Option<String>,
}

/// `POST /enroll` request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct EnrollRequest {
    /// The one-time code, with or without its dashes.
    #[cfg_attr(not(target_arch = "wasm32"), schema(example = "ABCD-EFGH-JK"))]
    pub code: String,
    #[serde(default)]
    pub device_name: String,
}

/// `POST /enroll` response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Enrollment {
    pub token: String,
    pub user: User,
    /// For riders: the secret their station pass is computed from. Shown nowhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_secret: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_codes_and_serde() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::json!(role.code())
            );
        }
        assert!("boss".parse::<Role>().unwrap_err().contains("rider"));
    }

    #[test]
    fn a_user_without_grid_or_station_leaves_them_out() {
        let u = User {
            id: "u1".into(),
            name: "小李".into(),
            role: Role::Rider,
            grid_id: None,
            station_id: None,
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({"id": "u1", "name": "小李", "role": "rider"})
        );
    }
}
