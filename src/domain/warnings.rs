//! 红黄绿 三色预警: a colour per grid from documented, configurable rules, always with its reasons in words — and
//! the recurring hotspots (重大顽疾) that feed it: the same category reported within 50 m three or more times in
//! 30 days, whether or not the earlier reports were resolved.
use serde::{Deserialize, Serialize};

use super::GeoPoint;

/// How near two reports of one category are to be the same place (the same hazard, while one is open: see
/// [`SAME_HAZARD_DAYS`]).
pub const HOTSPOT_RADIUS_M: f64 = 50.0;
/// A report of a category within [`HOTSPOT_RADIUS_M`] of an open one of its grid received in this many days
/// before is the same hazard: it joins that report's group (the earliest open one) instead of becoming a task of
/// its own, and its reporter follows the group's progress.
pub const SAME_HAZARD_DAYS: i64 = 7;
/// How many reports of one place make it a hotspot.
pub const HOTSPOT_REPORTS: usize = 3;
/// The window they fall in.
pub const HOTSPOT_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Color {
    Green,
    Yellow,
    Red,
}

impl Color {
    pub fn code(self) -> &'static str {
        match self {
            Color::Green => "green",
            Color::Yellow => "yellow",
            Color::Red => "red",
        }
    }

    pub fn from_code(code: &str) -> Option<Color> {
        [Color::Green, Color::Yellow, Color::Red]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// The thresholds (`serve --warn-…`): red at or past the red threshold of any signal, yellow at or past a yellow
/// one, green otherwise. Satisfaction counts only with enough verdicts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WarningRules {
    pub red_overdue: u32,
    pub yellow_overdue: u32,
    pub red_hotspots: u32,
    pub yellow_hotspots: u32,
    /// Red below this share of satisfied verdicts, yellow below `yellow_satisfaction`.
    pub red_satisfaction: f64,
    pub yellow_satisfaction: f64,
    pub min_verdicts: u32,
}

impl Default for WarningRules {
    fn default() -> Self {
        WarningRules {
            red_overdue: 3,
            yellow_overdue: 1,
            red_hotspots: 2,
            yellow_hotspots: 1,
            red_satisfaction: 0.6,
            yellow_satisfaction: 0.8,
            min_verdicts: 5,
        }
    }
}

/// What a grid's colour is read from.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Open tasks past their deadline now.
    pub overdue: u32,
    /// Recurring hotspots in the last 30 days.
    pub hotspots: u32,
    /// Satisfied share and number of verdicts.
    pub satisfaction: Option<(f64, u32)>,
}

/// One reason for a grid's colour. `zh` says it in Chinese words (the protocol's `reasons`); the phone says it in
/// its own language from the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Reason {
    /// Open tasks past their deadline.
    Overdue { count: u32 },
    /// Recurring hotspots in the last 30 days.
    Hotspots { count: u32 },
    /// The share of satisfied verdicts, of `verdicts`.
    Satisfaction { share: f64, verdicts: u32 },
}

impl Reason {
    /// `3 项逾期`, `1 处反复出现`, `满意率 62%（8 条评价）`.
    pub fn zh(&self) -> String {
        match self {
            Reason::Overdue { count } => format!("{count} 项逾期"),
            Reason::Hotspots { count } => format!("{count} 处反复出现"),
            Reason::Satisfaction { share, verdicts } => {
                format!("满意率 {:.0}%（{verdicts} 条评价）", share * 100.0)
            }
        }
    }
}

impl WarningRules {
    /// The colour of a grid and why (`3 项逾期 · 1 处反复出现 · 满意率 62%`): every signal past a yellow threshold
    /// is named, so a yellow or red grid always says why.
    pub fn judge(&self, s: Signals) -> (Color, Vec<Reason>) {
        let mut color = Color::Green;
        let mut reasons = vec![];
        let mut raise = |red: bool, reason: Reason| {
            color = color.max(if red { Color::Red } else { Color::Yellow });
            reasons.push(reason);
        };
        if s.overdue >= self.yellow_overdue.min(self.red_overdue) {
            raise(
                s.overdue >= self.red_overdue,
                Reason::Overdue { count: s.overdue },
            );
        }
        if s.hotspots >= self.yellow_hotspots.min(self.red_hotspots) {
            raise(
                s.hotspots >= self.red_hotspots,
                Reason::Hotspots { count: s.hotspots },
            );
        }
        if let Some((share, verdicts)) = s.satisfaction.filter(|(_, n)| *n >= self.min_verdicts) {
            if share < self.yellow_satisfaction.max(self.red_satisfaction) {
                raise(
                    share < self.red_satisfaction,
                    Reason::Satisfaction { share, verdicts },
                );
            }
        }
        (color, reasons)
    }
}

/// The colour of a 社区 or 街道 from its grids': red when any grid is red, yellow when any is yellow, green when all
/// are — the district looks first where any grid needs it — with how many grids have each colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RollUp {
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
}

impl RollUp {
    pub fn of(colors: impl IntoIterator<Item = Color>) -> RollUp {
        let mut r = RollUp::default();
        for c in colors {
            *match c {
                Color::Red => &mut r.red,
                Color::Yellow => &mut r.yellow,
                Color::Green => &mut r.green,
            } += 1;
        }
        r
    }

    pub fn color(&self) -> Color {
        if self.red > 0 {
            Color::Red
        } else if self.yellow > 0 {
            Color::Yellow
        } else {
            Color::Green
        }
    }
}

/// One report as hotspot detection reads it: its category, place and when it was received (Unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub id: String,
    pub category: String,
    pub at: GeoPoint,
    pub received: i64,
}

/// The hotspots among `sightings` (all within one 30-day window): groups of the same category, each built around a
/// report with at least two others within 50 m of it; every report is in one group at most. The ids of each group,
/// oldest first.
pub fn hotspots(sightings: &[Sighting]) -> Vec<Vec<String>> {
    let mut order: Vec<&Sighting> = sightings.iter().collect();
    order.sort_by(|a, b| (a.received, &a.id).cmp(&(b.received, &b.id)));
    // Candidates by category, sorted by latitude: only those within 50 m north or south are measured (a degree of
    // latitude is 111 km everywhere), so a busy month is n log n, not n².
    let mut by_category: std::collections::HashMap<&str, Vec<(f64, usize)>> = Default::default();
    for (i, s) in order.iter().enumerate() {
        by_category
            .entry(&s.category)
            .or_default()
            .push((s.at.lat, i));
    }
    for v in by_category.values_mut() {
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let band = HOTSPOT_RADIUS_M / 111_000.0 * 1.01;
    let mut taken = vec![false; order.len()];
    let mut groups = vec![];
    for (i, s) in order.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let same = &by_category[s.category.as_str()];
        let from = same.partition_point(|(lat, _)| *lat < s.at.lat - band);
        let mut members: Vec<usize> = same[from..]
            .iter()
            .take_while(|(lat, _)| *lat <= s.at.lat + band)
            .map(|(_, j)| *j)
            .filter(|&j| !taken[j] && s.at.distance_m(&order[j].at) <= HOTSPOT_RADIUS_M)
            .collect();
        members.sort_unstable();
        let group: Vec<&Sighting> = members.iter().map(|&j| order[j]).collect();
        if group.len() >= HOTSPOT_REPORTS {
            for &j in &members {
                taken[j] = true;
            }
            groups.push(group.iter().map(|o| o.id.clone()).collect());
        }
    }
    groups
}

/// A grid's colour now (`GET /warnings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Warning {
    pub grid_id: String,
    pub color: Color,
    /// Why, in words; empty when green.
    pub reasons: Vec<String>,
    /// The same reasons with their numbers (an extension: a phone says them in its own language).
    #[serde(default)]
    pub causes: Vec<Reason>,
    /// Since when the grid has had this colour (RFC 3339).
    pub since: String,
}

/// An open task as the district's map draws it (`GET /warnings/map`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct MapTask {
    pub id: String,
    pub grid_id: String,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    /// Past its deadline now.
    pub overdue: bool,
    /// Flagged a recurring problem when received.
    pub hotspot: bool,
}

/// A recurring hotspot of the last 30 days: where (the middle of its reports), what, and how many reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Hotspot {
    pub grid_id: String,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    pub reports: u32,
}

/// What the district's map shows beside the grids' colours (`GET /warnings/map`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct MapPoints {
    /// Open tasks with a place, the most overdue first; at most `MAP_TASKS`.
    pub tasks: Vec<MapTask>,
    /// Whether there were more open tasks than shown.
    pub truncated: bool,
    pub hotspots: Vec<Hotspot>,
}

/// The most open tasks the map draws (a storm of reports must not make the map unreadable or heavy).
pub const MAP_TASKS: usize = 2000;

/// A change of a grid's colour (`GET /warnings/history`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ColorChange {
    pub color: Color,
    pub reasons: Vec<String>,
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(overdue: u32, hotspots: u32, satisfaction: Option<(f64, u32)>) -> Signals {
        Signals {
            overdue,
            hotspots,
            satisfaction,
        }
    }

    #[test]
    fn each_rule_at_its_edges() {
        let rules = WarningRules::default();
        let judge = |s| {
            let (color, reasons) = rules.judge(s);
            (color, reasons.iter().map(Reason::zh).collect::<Vec<_>>())
        };
        assert_eq!(judge(signals(0, 0, None)), (Color::Green, vec![]));
        assert_eq!(
            judge(signals(1, 0, None)),
            (Color::Yellow, vec!["1 项逾期".into()])
        );
        assert_eq!(judge(signals(2, 0, None)).0, Color::Yellow);
        assert_eq!(
            judge(signals(3, 0, None)),
            (Color::Red, vec!["3 项逾期".into()])
        );
        assert_eq!(
            judge(signals(0, 1, None)),
            (Color::Yellow, vec!["1 处反复出现".into()])
        );
        assert_eq!(judge(signals(0, 2, None)).0, Color::Red);
        assert_eq!(
            judge(signals(3, 1, Some((0.62, 8)))),
            (
                Color::Red,
                vec![
                    "3 项逾期".into(),
                    "1 处反复出现".into(),
                    "满意率 62%（8 条评价）".into()
                ]
            )
        );
        assert_eq!(
            rules.judge(signals(0, 0, Some((0.62, 8)))).1,
            vec![Reason::Satisfaction {
                share: 0.62,
                verdicts: 8
            }]
        );
        assert_eq!(judge(signals(0, 0, Some((0.59, 5)))).0, Color::Red);
        assert_eq!(judge(signals(0, 0, Some((0.6, 5)))).0, Color::Yellow);
        assert_eq!(judge(signals(0, 0, Some((0.8, 5)))).0, Color::Green);
        assert_eq!(
            judge(signals(0, 0, Some((0.1, 4)))).0,
            Color::Green,
            "too few verdicts to judge"
        );
        let strict = WarningRules {
            red_overdue: 1,
            ..WarningRules::default()
        };
        assert_eq!(
            strict.judge(signals(1, 0, None)).0,
            Color::Red,
            "configurable"
        );
    }

    #[test]
    fn a_community_takes_the_colour_of_its_worst_grid() {
        use Color::*;
        assert_eq!(RollUp::of([]).color(), Green);
        assert_eq!(RollUp::of([Green, Green]).color(), Green);
        let r = RollUp::of([Green, Yellow, Green]);
        assert_eq!((r.color(), r.yellow, r.green), (Yellow, 1, 2));
        let r = RollUp::of([Yellow, Red, Green, Red]);
        assert_eq!((r.color(), r.red, r.yellow, r.green), (Red, 2, 1, 1));
    }

    fn sighting(id: &str, category: &str, north_m: f64, day: i64) -> Sighting {
        Sighting {
            id: id.into(),
            category: category.into(),
            // About 111,000 m per degree of latitude.
            at: GeoPoint::new(30.88 + north_m / 111_000.0, 104.25),
            received: day * 86_400,
        }
    }

    #[test]
    fn three_of_one_category_within_50_m_are_a_hotspot() {
        let three = [
            sighting("a", "manhole_cover", 0.0, 1),
            sighting("b", "manhole_cover", 30.0, 5),
            sighting("c", "manhole_cover", 45.0, 20),
        ];
        assert_eq!(hotspots(&three), vec![vec!["a", "b", "c"]]);
        assert!(hotspots(&three[..2]).is_empty(), "two are not yet");
        let mut other_kind = three.clone();
        other_kind[2].category = "street_light".into();
        assert!(hotspots(&other_kind).is_empty(), "another category");
        let mut too_far = three.clone();
        too_far[2] = sighting("c", "manhole_cover", 85.0, 20);
        assert!(
            hotspots(&too_far).is_empty(),
            "85 m from the first, 55 m from the second"
        );
        let mut around_the_middle = three.clone();
        around_the_middle[2] = sighting("c", "manhole_cover", 75.0, 20);
        assert_eq!(
            hotspots(&around_the_middle),
            vec![vec!["a", "b", "c"]],
            "each within 50 m of b"
        );
        // Six at one place are one hotspot of six, or two of three: never a report counted twice.
        let six: Vec<Sighting> = (0..6)
            .map(|i| sighting(&format!("s{i}"), "manhole_cover", i as f64, i))
            .collect();
        let groups = hotspots(&six);
        assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), 6);
        assert_eq!(groups.len(), 1);
    }
}
