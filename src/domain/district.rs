//! What the district's files are and what loading one did: the kinds, the faults a check finds, the changes an
//! import makes. Shared by the server, its command line and the admin console.
use std::fmt;

use serde::{Deserialize, Serialize};

/// The kinds of reference data a district loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(clap::ValueEnum, utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Grids,
    Stations,
    Departments,
    Categories,
    /// The topics of riders' concerns.
    ConcernTopics,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Grids => "grids",
            Kind::Stations => "stations",
            Kind::Departments => "departments",
            Kind::Categories => "categories",
            Kind::ConcernTopics => "concern_topics",
        }
    }
}

/// One thing wrong with a file: where (a feature, a row, the file) and what, in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Fault {
    /// `feature 3 (id "g-07")`, `row 5 (code "road_damage")`, `department "x"`, or `file`.
    pub at: String,
    pub problem: String,
    /// The place in Chinese: `第 3 个要素（id "g-07"）`, `第 5 行（code "road_damage"）`, `文件`.
    #[serde(default)]
    pub at_zh: String,
    #[serde(default)]
    pub problem_zh: String,
}

impl Fault {
    /// A fault at `at` (as [`Fault::at`] writes it), said in Chinese and in English.
    pub fn new(at: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        let at = at.into();
        Fault {
            at_zh: place_zh(&at),
            at,
            problem: en.into(),
            problem_zh: zh.into(),
        }
    }
}

/// A place as [`Fault::at`] writes it, in Chinese.
pub fn place_zh(at: &str) -> String {
    let (head, tail) = match at.split_once(" (") {
        Some((h, t)) => (h, Some(t.strip_suffix(')').unwrap_or(t))),
        None => (at, None),
    };
    let tail = tail.map(|t| format!("（{t}）")).unwrap_or_default();
    let number = |prefix: &str| head.strip_prefix(prefix).map(str::trim);
    if head == "file" {
        "文件".to_owned()
    } else if let Some(n) = number("feature ") {
        format!("第 {n} 个要素{tail}")
    } else if let Some(n) = number("row ") {
        format!("第 {n} 行{tail}")
    } else if let Some(code) = number("department ") {
        format!("部门 {code}{tail}")
    } else {
        at.to_owned()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.problem)
    }
}

/// What an import changed (or, as a preview, would change): the keys added, updated and retired.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Changes {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub retired: Vec<String>,
    pub unchanged: usize,
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} retired, {} unchanged",
            self.added.len(),
            self.updated.len(),
            self.retired.len(),
            self.unchanged
        )
    }
}

/// The admin console's request to check or apply a district file (`POST /admin/imports`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    pub kind: Kind,
    /// The file's name as chosen (`stations.geojson` is read as GeoJSON).
    #[cfg_attr(
        not(target_arch = "wasm32"),
        schema(max_length = 200, example = "grids.geojson")
    )]
    pub file_name: String,
    /// The file's text (UTF-8).
    pub content: String,
    /// `false`: check and say what would change, change nothing. `true`: apply.
    pub apply: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ImportResult {
    pub applied: bool,
    pub changes: Changes,
}

/// A person as the district's console lists them (never their phone number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Person {
    pub user: super::User,
    /// Has signed in on a phone with a code.
    pub enrolled: bool,
    pub revoked: bool,
}

/// `POST /admin/users/{id}/move`: the grid a grid worker moves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub grid: String,
}

/// `POST /admin/users/reissue`: new codes for those of one grid or one station who have not enrolled yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReissueRequest {
    #[serde(default)]
    pub grid: Option<String>,
    #[serde(default)]
    pub station: Option<String>,
    /// A department's code.
    #[serde(default)]
    pub department: Option<String>,
    /// The app's address, printed on each card.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), schema(max_length = 200))]
    pub url: Option<String>,
}

impl ReissueRequest {
    /// The one place named; `None` when none or several are.
    pub fn place(&self) -> Option<(super::Place, &str)> {
        use super::Place;
        let named: Vec<(Place, &str)> = [
            (Place::Grid, &self.grid),
            (Place::Station, &self.station),
            (Place::Department, &self.department),
        ]
        .into_iter()
        .filter_map(|(p, v)| Some((p, v.as_deref()?)))
        .collect();
        match named[..] {
            [one] => Some(one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_in_chinese() {
        assert_eq!(place_zh("file"), "文件");
        assert_eq!(
            place_zh("feature 3 (id \"g-07\")"),
            "第 3 个要素（id \"g-07\"）"
        );
        assert_eq!(place_zh("feature 12"), "第 12 个要素");
        assert_eq!(
            place_zh("row 5 (code \"road_damage\")"),
            "第 5 行（code \"road_damage\"）"
        );
        assert_eq!(place_zh("row 10 (骑手六)"), "第 10 行（骑手六）");
        assert_eq!(place_zh("department \"shuiwu\""), "部门 \"shuiwu\"");
    }
}
