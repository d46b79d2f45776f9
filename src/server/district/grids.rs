//! 网格 grids from GeoJSON, as QGIS and 天地图 export them: a FeatureCollection of Polygon or MultiPolygon
//! features with the properties `id`, `name`, `community` (社区) and `street` (街道).
use crate::server::db::{self, Tx};
use anyhow::Context;
use geo::{BooleanOps, BoundingRect, ChamberlainDuquetteArea, Intersects, Validation};
use serde_json::{json, Value};

use super::{duplicate_keys, retire_row, Fault, Kind, Reference};
use crate::domain::GeoPoint;
use crate::server::reference::{GridRow, GRID_ROWS_SQL};

/// Overlap between two grids that counts as a fault: more than this share of the smaller grid's area, and more
/// than [`OVERLAP_M2`] — slivers along a shared edge, as digitising leaves them, pass.
const OVERLAP_SHARE: f64 = 0.01;
const OVERLAP_M2: f64 = 100.0;

/// Mainland China and its islands, generously: a point outside is a mistake (or lon/lat swapped).
pub(super) const LON: std::ops::RangeInclusive<f64> = 73.0..=135.5;
pub(super) const LAT: std::ops::RangeInclusive<f64> = 3.0..=54.0;

/// One grid as the file describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct GridFeature {
    pub id: String,
    pub name: String,
    pub community: String,
    pub street: String,
    /// The GeoJSON geometry, kept as imported.
    pub geometry: Value,
}

impl GridFeature {
    /// The geometry's polygons, each a list of rings of `[lon, lat]`.
    fn polygons(&self) -> Vec<Vec<Vec<[f64; 2]>>> {
        polygons_of(&self.geometry).unwrap_or_default()
    }

    /// The first part's outer ring, and every other ring.
    pub fn rings(&self) -> (Vec<GeoPoint>, Vec<Vec<GeoPoint>>) {
        let mut rings = self.polygons().into_iter().flatten().map(|ring| {
            let mut points: Vec<GeoPoint> = ring
                .iter()
                .map(|[lon, lat]| GeoPoint::new(*lat, *lon))
                .collect();
            points.pop(); // the closing point
            points
        });
        let first = rings.next().unwrap_or_default();
        (first, rings.collect())
    }

    fn shape(&self) -> geo::MultiPolygon<f64> {
        let polygon = |rings: &Vec<Vec<[f64; 2]>>| {
            let ring = |r: &Vec<[f64; 2]>| {
                geo::LineString::from(r.iter().map(|[x, y]| (*x, *y)).collect::<Vec<_>>())
            };
            let mut rings = rings.iter().map(ring);
            let outer = rings.next().unwrap_or_else(|| geo::LineString::new(vec![]));
            geo::Polygon::new(outer, rings.collect())
        };
        geo::MultiPolygon::new(self.polygons().iter().map(polygon).collect())
    }
}

/// A fault said twice: in Chinese, then in English.
type Said = (String, String);

fn said(zh: impl Into<String>, en: impl Into<String>) -> Said {
    (zh.into(), en.into())
}

/// The positions of a Polygon or MultiPolygon geometry, or what is wrong with its structure.
fn polygons_of(geometry: &Value) -> Result<Vec<Vec<Vec<[f64; 2]>>>, Said> {
    let kind = geometry.get("type").and_then(Value::as_str).unwrap_or("");
    let coordinates = geometry
        .get("coordinates")
        .ok_or_else(|| said("几何图形没有坐标", "the geometry has no coordinates"))?;
    let ring = |r: &Value| -> Result<Vec<[f64; 2]>, Said> {
        r.as_array()
            .ok_or_else(|| said("有一个环不是坐标列表", "a ring is not a list of positions"))?
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
                    (Some(lon), Some(lat)) => Ok([lon, lat]),
                    _ => Err(said(
                        format!("坐标 {p} 不是两个数字"),
                        format!("the position {p} is not two numbers"),
                    )),
                },
                _ => Err(said(
                    format!("坐标 {p} 不是 [经度, 纬度]"),
                    format!("the position {p} is not [longitude, latitude]"),
                )),
            })
            .collect()
    };
    let polygon = |p: &Value| -> Result<Vec<Vec<[f64; 2]>>, Said> {
        p.as_array()
            .ok_or_else(|| {
                said(
                    "有一个多边形不是环的列表",
                    "a polygon is not a list of rings",
                )
            })?
            .iter()
            .map(ring)
            .collect()
    };
    match kind {
        "Polygon" => Ok(vec![polygon(coordinates)?]),
        "MultiPolygon" => coordinates
            .as_array()
            .ok_or_else(|| {
                said(
                    "MultiPolygon 的坐标不是列表",
                    "the MultiPolygon's coordinates are not a list",
                )
            })?
            .iter()
            .map(polygon)
            .collect(),
        other => {
            let other = if other.is_empty() { "nothing" } else { other };
            Err(said(
                format!("几何图形须是 Polygon 或 MultiPolygon，不能是 {other}"),
                format!("the geometry must be a Polygon or MultiPolygon, not {other}"),
            ))
        }
    }
}

/// What geo found wrong with a polygon, in Chinese.
fn invalid_zh(e: &geo::algorithm::validation::InvalidPolygon) -> String {
    use geo::algorithm::validation::{InvalidPolygon as P, RingRole};
    let ring = |r: &RingRole| match r {
        RingRole::Exterior => "外环".to_owned(),
        RingRole::Interior(i) => format!("第 {} 个内环（洞）", i + 1),
    };
    match e {
        P::TooFewPointsInRing(r) => format!("{}至少要有 3 个不同的点", ring(r)),
        P::SelfIntersection(r) => format!("{}自相交（边线交叉）", ring(r)),
        P::NonFiniteCoord(r, _) => format!("{}有无效的坐标", ring(r)),
        P::InteriorRingNotContainedInExteriorRing(r) => format!("{}不在外环里面", ring(r)),
        P::IntersectingRingsOnALine(a, b) | P::IntersectingRingsOnAnArea(a, b) => {
            format!("{}和{}相交", ring(a), ring(b))
        }
    }
}

/// What is wrong with one feature's geometry on its own.
fn geometry_faults(geometry: &Value) -> Vec<Said> {
    use geo::algorithm::validation::InvalidMultiPolygon as M;
    let polygons = match polygons_of(geometry) {
        Ok(p) => p,
        Err(e) => return vec![e],
    };
    if polygons.is_empty() || polygons.iter().any(Vec::is_empty) {
        return vec![said("有一个多边形没有环", "a polygon has no rings")];
    }
    let mut faults = Vec::new();
    for (pi, polygon) in polygons.iter().enumerate() {
        for (ri, ring) in polygon.iter().enumerate() {
            let (zh, en) = match (polygons.len(), ri) {
                (1, 0) => ("外环".to_owned(), "the outer ring".to_owned()),
                (1, _) => (format!("第 {ri} 个内环（洞）"), format!("hole {ri}")),
                (_, 0) => (
                    format!("第 {} 部分的外环", pi + 1),
                    format!("the outer ring of part {}", pi + 1),
                ),
                (_, _) => (
                    format!("第 {} 部分的第 {ri} 个内环", pi + 1),
                    format!("hole {ri} of part {}", pi + 1),
                ),
            };
            if ring.len() < 4 {
                faults.push(said(
                    format!("{zh}只有 {} 个坐标，闭合的环至少要 4 个", ring.len()),
                    format!(
                        "{en} has {} positions; a closed ring needs at least 4",
                        ring.len()
                    ),
                ));
                continue;
            }
            if ring.first() != ring.last() {
                faults.push(said(
                    format!("{zh}没有闭合：最后一个坐标须与第一个相同"),
                    format!("{en} is not closed: its last position must repeat its first"),
                ));
            }
            if let Some(p) = ring
                .iter()
                .find(|p| !LON.contains(&p[0]) || !LAT.contains(&p[1]))
            {
                faults.push(if LON.contains(&p[1]) && LAT.contains(&p[0]) {
                    said(
                        format!("{zh}有 [{}, {}]：经纬度好像写反了（GeoJSON 是 [经度, 纬度]）", p[0], p[1]),
                        format!("{en} has [{}, {}]: longitude and latitude look swapped (GeoJSON is [longitude, latitude])", p[0], p[1]),
                    )
                } else {
                    said(
                        format!("{zh}有 [{}, {}]，不在中国境内", p[0], p[1]),
                        format!("{en} has [{}, {}], outside China", p[0], p[1]),
                    )
                });
            }
        }
    }
    if faults.is_empty() {
        let feature = GridFeature {
            id: String::new(),
            name: String::new(),
            community: String::new(),
            street: String::new(),
            geometry: geometry.clone(),
        };
        let single = polygons.len() == 1;
        faults.extend(feature.shape().validation_errors().iter().map(|e| match e {
            M::InvalidPolygon(_, p) if single => said(invalid_zh(p), p.to_string()),
            M::InvalidPolygon(i, p) => said(
                format!("第 {} 部分：{}", i.0 + 1, invalid_zh(p)),
                e.to_string(),
            ),
            M::ElementsOverlaps(..) | M::ElementsTouchOnALine(..) => {
                said("多个部分相互重叠或共边", e.to_string())
            }
        }));
    }
    faults
}

/// A property as text: a string, or a number as QGIS writes ids.
fn property(props: &Value, name: &str) -> Option<String> {
    match props.get(name)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads and checks a whole grids file.
pub fn parse_grids(bytes: &[u8]) -> Result<Vec<GridFeature>, Vec<Fault>> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![Fault::new(
            "file",
            format!("不是 JSON：{e}"),
            format!("not JSON: {e}"),
        )]
    })?;
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(vec![Fault::new(
            "file",
            "不是 GeoJSON FeatureCollection",
            "not a GeoJSON FeatureCollection",
        )]);
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| {
            vec![Fault::new(
                "file",
                "FeatureCollection 里没有要素",
                "the FeatureCollection has no features",
            )]
        })?;
    let mut faults = Vec::new();
    let mut grids = Vec::new();
    let mut ids = Vec::new();
    for (i, feature) in features.iter().enumerate() {
        let props = feature.get("properties").cloned().unwrap_or(Value::Null);
        let id = property(&props, "id");
        let at = match &id {
            Some(id) => format!("feature {} (id \"{id}\")", i + 1),
            None => format!("feature {}", i + 1),
        };
        let mut missing = Vec::new();
        let mut text = |name: &'static str| {
            property(&props, name).unwrap_or_else(|| {
                missing.push(name);
                String::new()
            })
        };
        let (name, community, street) = (text("name"), text("community"), text("street"));
        match &id {
            Some(id) => ids.push((at.clone(), id.clone())),
            None => missing.insert(0, "id"),
        }
        if !missing.is_empty() {
            faults.push(Fault::new(
                &at,
                format!("缺少属性或属性为空：{}", missing.join(", ")),
                format!("the properties {} are missing or empty", missing.join(", ")),
            ));
        }
        let geometry = feature.get("geometry").cloned().unwrap_or(Value::Null);
        let before = faults.len();
        faults.extend(
            geometry_faults(&geometry)
                .into_iter()
                .map(|(zh, en)| Fault::new(&at, zh, en)),
        );
        if faults.len() == before {
            if let Some(id) = id {
                grids.push((
                    at,
                    GridFeature {
                        id,
                        name,
                        community,
                        street,
                        geometry,
                    },
                ));
            }
        }
    }
    faults.extend(duplicate_keys(
        ids.iter().map(|(at, id)| (at.clone(), id.as_str())),
        "id",
    ));
    faults.extend(overlaps(&grids));
    if faults.is_empty() {
        Ok(grids.into_iter().map(|(_, g)| g).collect())
    } else {
        Err(faults)
    }
}

/// Pairs of grids that cover the same ground beyond the tolerance.
fn overlaps(grids: &[(String, GridFeature)]) -> Vec<Fault> {
    let shapes: Vec<(geo::MultiPolygon<f64>, Option<geo::Rect<f64>>, f64)> = grids
        .iter()
        .map(|(_, g)| {
            let shape = g.shape();
            let rect = shape.bounding_rect();
            let area = shape.chamberlain_duquette_unsigned_area();
            (shape, rect, area)
        })
        .collect();
    let mut faults = Vec::new();
    for i in 0..shapes.len() {
        for j in i + 1..shapes.len() {
            let ((a, Some(ra), area_a), (b, Some(rb), area_b)) = (&shapes[i], &shapes[j]) else {
                continue;
            };
            if !ra.intersects(rb) {
                continue;
            }
            let shared = a.intersection(b).chamberlain_duquette_unsigned_area();
            if shared > OVERLAP_M2 && shared > OVERLAP_SHARE * area_a.min(*area_b) {
                faults.push(Fault::new(
                    &grids[j].0,
                    format!(
                        "与网格“{}”重叠 {:.0} 平方米（较小网格的 {:.1}%）",
                        grids[i].1.id,
                        shared,
                        100.0 * shared / area_a.min(*area_b)
                    ),
                    format!(
                        "overlaps grid \"{}\" by {:.0} m² ({:.1}% of the smaller grid)",
                        grids[i].1.id,
                        shared,
                        100.0 * shared / area_a.min(*area_b)
                    ),
                ));
            }
        }
    }
    faults
}

/// Writes grids as the FeatureCollection they were read from.
pub fn write_grids(grids: &[GridFeature]) -> anyhow::Result<Vec<u8>> {
    let features: Vec<Value> = grids
        .iter()
        .map(|g| {
            json!({
                "type": "Feature",
                "properties": {"id": g.id, "name": g.name, "community": g.community, "street": g.street},
                "geometry": g.geometry,
            })
        })
        .collect();
    let mut out =
        serde_json::to_vec_pretty(&json!({"type": "FeatureCollection", "features": features}))?;
    out.push(b'\n');
    Ok(out)
}

/// A ring (closing point left out, as the server keeps it) as GeoJSON positions, closed.
fn closed_positions(ring: &[GeoPoint]) -> Vec<[f64; 2]> {
    let mut positions: Vec<[f64; 2]> = ring.iter().map(|p| [p.lon, p.lat]).collect();
    if let Some(first) = positions.first().copied() {
        if positions.last() != Some(&first) {
            positions.push(first);
        }
    }
    positions
}

pub struct Grids;

/// Marks a retired grid's open tasks for reassignment.
pub const FLAG_OPEN_TASKS_SQL: &str = "UPDATE reports SET needs_reassignment = TRUE
    WHERE grid_id = ? AND status IN ('received', 'accepted', 'in_progress')";

impl Reference for Grids {
    type Item = GridFeature;
    const KIND: Kind = Kind::Grids;
    const TABLE: (&'static str, &'static str) = ("grids", "id");

    fn key(item: &GridFeature) -> &str {
        &item.id
    }

    fn parse(bytes: &[u8], _name: &str) -> Result<Vec<GridFeature>, Vec<Fault>> {
        parse_grids(bytes)
    }

    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(GridFeature, bool)>> {
        let rows: Vec<GridRow> = db::query_as(GRID_ROWS_SQL).fetch_all(&mut *tx).await?;
        rows.into_iter()
            .map(|r| {
                let geometry = match &r.geometry {
                    Some(g) => serde_json::from_str(g)
                        .with_context(|| format!("geometry of grid {}", r.id))?,
                    // A grid from before imports: its rings as one Polygon.
                    None => {
                        let (outer, more) = r.rings()?;
                        let rings: Vec<Vec<[f64; 2]>> = std::iter::once(outer)
                            .chain(more)
                            .map(|ring| closed_positions(&ring))
                            .collect();
                        json!({"type": "Polygon", "coordinates": rings})
                    }
                };
                let grid = GridFeature {
                    id: r.id,
                    name: r.name,
                    community: r.community,
                    street: r.street,
                    geometry,
                };
                Ok((grid, r.retired))
            })
            .collect()
    }

    async fn put(tx: &mut Tx, g: &GridFeature, seq: i64) -> anyhow::Result<()> {
        let (outer, more) = g.rings();
        db::query(
            "INSERT INTO grids (id, name, community, street, polygon, more_rings, geometry, retired_at, change_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?2, community = ?3, street = ?4, polygon = ?5, more_rings = ?6,
                 geometry = ?7, retired_at = NULL, change_seq = ?8, demo = FALSE",
        )
        .bind(&g.id)
        .bind(&g.name)
        .bind(&g.community)
        .bind(&g.street)
        .bind(serde_json::to_string(&outer)?)
        .bind(serde_json::to_string(&more)?)
        .bind(serde_json::to_string(&g.geometry)?)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    async fn retire(tx: &mut Tx, id: &str, at: &str, seq: i64) -> anyhow::Result<()> {
        retire_row(tx, Self::TABLE, id, at, seq).await?;
        // Its open tasks stay with it, marked for someone to reassign.
        db::query(FLAG_OPEN_TASKS_SQL)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    fn write(items: &[GridFeature]) -> anyhow::Result<Vec<u8>> {
        write_grids(items)
    }
}
