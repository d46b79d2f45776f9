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
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Grids => "grids",
            Kind::Stations => "stations",
            Kind::Departments => "departments",
            Kind::Categories => "categories",
        }
    }
}

/// One thing wrong with a file: where (a feature, a row, the file) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Fault {
    /// `feature 3 (id "g-07")`, `row 5 (code "road_damage")`, or `file`.
    pub at: String,
    pub problem: String,
}

impl Fault {
    pub fn new(at: impl Into<String>, problem: impl Into<String>) -> Self {
        Fault {
            at: at.into(),
            problem: problem.into(),
        }
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
