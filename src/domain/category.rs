//! Report categories: the initial catalog of BRIEF.md (admins may edit it later; the server's copy is the truth).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The department the 两张清单 makes responsible for it (部门联处 calls it first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// No longer in the district's list: kept for its reports, not offered for new ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// A department that 部门联处 (吹哨报到) calls on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Department {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl Category {
    /// The name in the interface language: Chinese unless English was chosen.
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

/// The initial catalog, in display order: `(code, 中文名, English name)`.
pub const INITIAL_CATALOG: &[(&str, &str, &str)] = &[
    ("road_damage", "道路破损", "Road damage"),
    (
        "manhole_cover",
        "井盖缺失或破损",
        "Missing or broken manhole cover",
    ),
    ("street_light", "路灯不亮", "Street light out"),
    (
        "traffic_signal",
        "交通信号或标志损坏",
        "Broken traffic signal or sign",
    ),
    ("flooding", "积水内涝", "Flooding"),
    ("fallen_tree", "树木倒伏", "Fallen tree or branch"),
    (
        "ebike_charging",
        "电动车违规充电",
        "E-bike charging indoors (fire risk)",
    ),
    ("fire_lane_blocked", "消防通道堵塞", "Blocked fire lane"),
    ("road_obstruction", "占道堆物", "Obstruction on the road"),
    (
        "construction_hazard",
        "施工安全隐患",
        "Construction-site hazard",
    ),
    ("other", "其他", "Other"),
];

/// The initial catalog as values.
pub fn initial_catalog() -> Vec<Category> {
    INITIAL_CATALOG
        .iter()
        .map(|(code, zh, en)| Category {
            code: (*code).to_owned(),
            name_zh: (*zh).to_owned(),
            name_en: (*en).to_owned(),
            ..Category::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_eleven_categories_of_the_brief_with_unique_codes() {
        let catalog = initial_catalog();
        assert_eq!(catalog.len(), 11);
        let mut codes: Vec<_> = catalog.iter().map(|c| c.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 11);
        assert_eq!(catalog.last().map(|c| c.name_zh.as_str()), Some("其他"));
    }

    #[test]
    fn name_follows_the_language() {
        let c = &initial_catalog()[4];
        assert_eq!(c.name(false), "积水内涝");
        assert_eq!(c.name(true), "Flooding");
    }
}
