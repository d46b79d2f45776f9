//! Who is asking: the six roles, the place each belongs to, and the user as the API shows them (never with a phone
//! number).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Role {
    Rider,
    GridWorker,
    StationStaff,
    /// Staff of a department that 部门联处 calls on (城管局, 住建局 …).
    DepartmentStaff,
    /// Reads the district's figures: the whole district, or one 街道.
    Official,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Rider,
        Role::GridWorker,
        Role::StationStaff,
        Role::DepartmentStaff,
        Role::Official,
        Role::Admin,
    ];

    /// The stable code used on the wire, in the database and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Rider => "rider",
            Role::GridWorker => "grid_worker",
            Role::StationStaff => "station_staff",
            Role::DepartmentStaff => "department_staff",
            Role::Official => "official",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The place a person of this role belongs to, and whether it must be given: a grid worker's grid, station
    /// staff's station, department staff's department; an official may be limited to one 街道. Riders and admins
    /// belong to none.
    pub fn place(self) -> Option<(Place, bool)> {
        match self {
            Role::GridWorker => Some((Place::Grid, true)),
            Role::StationStaff => Some((Place::Station, true)),
            Role::DepartmentStaff => Some((Place::Department, true)),
            Role::Official => Some((Place::Street, false)),
            Role::Rider | Role::Admin => None,
        }
    }

    /// What is wrong with the places given to a person of this role (`given` says which were): each place the
    /// role needs and lacks, and each it cannot have.
    pub fn place_faults(self, given: impl Fn(Place) -> bool) -> Vec<PlaceFault> {
        Place::ALL
            .into_iter()
            .filter_map(|place| match self.place() {
                Some((own, true)) if own == place && !given(place) => {
                    Some(PlaceFault::Missing(place))
                }
                Some((own, _)) if own == place => None,
                _ if given(place) => Some(PlaceFault::NotAllowed(place)),
                _ => None,
            })
            .collect()
    }
}

/// What a person belongs to beside their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Grid,
    Station,
    Department,
    /// A 街道, by the name the grids carry.
    Street,
}

impl Place {
    pub const ALL: [Place; 4] = [
        Place::Grid,
        Place::Station,
        Place::Department,
        Place::Street,
    ];

    /// The column of the users CSV and the option of `user add` (`--grid` …).
    pub fn code(self) -> &'static str {
        match self {
            Place::Grid => "grid",
            Place::Station => "station",
            Place::Department => "department",
            Place::Street => "street",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Place::Grid => "网格",
            Place::Station => "驿站",
            Place::Department => "部门",
            Place::Street => "街道",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceFault {
    Missing(Place),
    NotAllowed(Place),
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
    /// Department staff: the department's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<String>,
    /// An official limited to one 街道.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

impl User {
    /// The place given for `place`, if any.
    pub fn place(&self, place: Place) -> Option<&str> {
        match place {
            Place::Grid => self.grid_id.as_deref(),
            Place::Station => self.station_id.as_deref(),
            Place::Department => self.department_id.as_deref(),
            Place::Street => self.street.as_deref(),
        }
    }
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
    fn each_role_needs_its_own_place_and_no_other() {
        use PlaceFault::*;
        let none = |_: Place| false;
        let all = |_: Place| true;
        assert_eq!(Role::Rider.place_faults(none), vec![]);
        assert_eq!(Role::Admin.place_faults(none), vec![]);
        assert_eq!(Role::Official.place_faults(none), vec![]);
        assert_eq!(
            Role::GridWorker.place_faults(none),
            vec![Missing(Place::Grid)]
        );
        assert_eq!(
            Role::StationStaff.place_faults(none),
            vec![Missing(Place::Station)]
        );
        assert_eq!(
            Role::DepartmentStaff.place_faults(none),
            vec![Missing(Place::Department)]
        );
        assert_eq!(
            Role::DepartmentStaff.place_faults(all),
            vec![
                NotAllowed(Place::Grid),
                NotAllowed(Place::Station),
                NotAllowed(Place::Street)
            ]
        );
        assert_eq!(Role::Official.place_faults(|p| p == Place::Street), vec![]);
        assert_eq!(
            Role::Rider.place_faults(|p| p == Place::Street),
            vec![NotAllowed(Place::Street)]
        );
    }

    #[test]
    fn a_user_without_grid_or_station_leaves_them_out() {
        let u = User {
            id: "u1".into(),
            name: "小李".into(),
            role: Role::Rider,
            grid_id: None,
            station_id: None,
            department_id: None,
            street: None,
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            serde_json::json!({"id": "u1", "name": "小李", "role": "rider"})
        );
    }
}
