//! The reference data a phone keeps a copy of, so categories and stations show with the network off.
use serde::{Deserialize, Serialize};

use super::category::Department;
use super::concern::ConcernTopic;
use super::{Category, Grid, Station};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReferenceData {
    pub categories: Vec<Category>,
    pub stations: Vec<Station>,
    pub grids: Vec<Grid>,
    /// The departments 部门联处 calls on (from the change feed).
    #[serde(default)]
    pub departments: Vec<Department>,
    /// The topics of riders' concerns (小区进门难, 充电 …), for the concern form offline.
    #[serde(default)]
    pub concern_topics: Vec<ConcernTopic>,
    /// When the phone fetched this copy from the server (RFC 3339), if it ever did.
    #[serde(default)]
    pub fetched_at: Option<String>,
}

impl ReferenceData {
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.stations.is_empty() && self.grids.is_empty()
    }
}
