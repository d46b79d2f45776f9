//! 暖心驿站 stations from CSV (`id, name, address, lat, lon, hours, amenities`, amenities separated by `;`) or from
//! GeoJSON Point features with the same properties.
use crate::server::db::{self, Tx};
use serde_json::Value;

use super::departments::is_code;
use super::grids::{LAT, LON};
use super::{csv_file, csv_rows, duplicate_keys, Fault, Kind, Reference};
use crate::domain::{Amenity, Station};

const COLUMNS: [&str; 7] = ["id", "name", "address", "lat", "lon", "hours", "amenities"];

/// One station's fields as text, wherever they came from.
struct Fields {
    id: String,
    name: String,
    address: String,
    lat: Option<f64>,
    lon: Option<f64>,
    hours: String,
    amenities: Vec<String>,
}

/// Checks one station; its faults name `at`.
fn check(at: &str, f: Fields, faults: &mut Vec<Fault>) -> Option<Station> {
    let before = faults.len();
    let mut fault = |zh: String, en: String| faults.push(Fault::new(at, zh, en));
    if !is_code(&f.id) {
        fault(
            "id 只能用小写字母、数字、- 或 _（最多 64 个）".into(),
            "the id must be lower-case letters, digits, - or _ (at most 64)".into(),
        );
    }
    for (name, zh, value) in [("name", "名称", &f.name), ("address", "地址", &f.address)] {
        if value.is_empty() {
            fault(format!("{zh}为空"), format!("the {name} is empty"));
        }
    }
    match (f.lat, f.lon) {
        (Some(lat), Some(lon)) if LAT.contains(&lat) && LON.contains(&lon) => {}
        (Some(lat), Some(lon)) if LAT.contains(&lon) && LON.contains(&lat) => fault(
            format!("lat {lat}、lon {lon}：纬度和经度好像写反了"),
            format!("lat {lat}, lon {lon}: latitude and longitude look swapped"),
        ),
        (Some(lat), Some(lon)) => fault(
            format!("lat {lat}、lon {lon} 不在中国境内"),
            format!("lat {lat}, lon {lon} is outside China"),
        ),
        _ => fault(
            "lat 和 lon 须是数字".into(),
            "lat and lon must be numbers".into(),
        ),
    }
    let probe = Station {
        hours: f.hours.clone(),
        ..Station::default()
    };
    if probe.is_open_at(0).is_none() {
        fault(
            format!(
                "开放时间“{}”须写成 HH:MM-HH:MM（全天开放写 00:00-24:00）",
                f.hours
            ),
            format!(
                "the hours \"{}\" are not HH:MM-HH:MM (00:00-24:00: day and night)",
                f.hours
            ),
        );
    }
    let mut amenities = Vec::new();
    for code in &f.amenities {
        match Amenity::from_code(code) {
            Some(a) if !amenities.contains(&a) => amenities.push(a),
            Some(_) => {}
            None => fault(
                format!(
                    "没有“{code}”这种设施（可用：{}）",
                    Amenity::ALL.map(Amenity::code).join(", ")
                ),
                format!(
                    "unknown amenity \"{code}\" (known: {})",
                    Amenity::ALL.map(Amenity::code).join(", ")
                ),
            ),
        }
    }
    (faults.len() == before).then(|| Station {
        id: f.id,
        name: f.name,
        address: f.address,
        lat: f.lat.unwrap_or_default(),
        lon: f.lon.unwrap_or_default(),
        hours: f.hours,
        amenities,
        demo: false,
        retired: false,
    })
}

fn split_amenities(s: &str) -> Vec<String> {
    s.split([';', '；', ','])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect()
}

fn from_csv(bytes: &[u8], faults: &mut Vec<Fault>) -> Vec<(String, Fields)> {
    let rows = match csv_rows(bytes, &COLUMNS) {
        Ok(rows) => rows,
        Err(e) => {
            faults.extend(e);
            return vec![];
        }
    };
    rows.into_iter()
        .map(|(row, r)| {
            let at = format!("row {row} (id \"{}\")", r["id"]);
            let fields = Fields {
                id: r["id"].clone(),
                name: r["name"].clone(),
                address: r["address"].clone(),
                lat: r["lat"].parse().ok(),
                lon: r["lon"].parse().ok(),
                hours: r["hours"].clone(),
                amenities: split_amenities(&r["amenities"]),
            };
            (at, fields)
        })
        .collect()
}

fn from_geojson(bytes: &[u8], faults: &mut Vec<Fault>) -> Vec<(String, Fields)> {
    let features = match serde_json::from_slice::<Value>(bytes) {
        Ok(doc) if doc.get("type").and_then(Value::as_str) == Some("FeatureCollection") => doc
            .get("features")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Ok(_) => {
            faults.push(Fault::new(
                "file",
                "不是 GeoJSON FeatureCollection",
                "not a GeoJSON FeatureCollection",
            ));
            return vec![];
        }
        Err(e) => {
            faults.push(Fault::new(
                "file",
                format!("不是 JSON：{e}"),
                format!("not JSON: {e}"),
            ));
            return vec![];
        }
    };
    if features.is_empty() {
        faults.push(Fault::new(
            "file",
            "FeatureCollection 里没有要素",
            "the FeatureCollection has no features",
        ));
    }
    features
        .iter()
        .enumerate()
        .filter_map(|(i, feature)| {
            let props = feature.get("properties").cloned().unwrap_or(Value::Null);
            let text = |k: &str| match props.get(k) {
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let at = format!("feature {} (id \"{}\")", i + 1, text("id"));
            let geometry = feature.get("geometry").cloned().unwrap_or(Value::Null);
            if geometry.get("type").and_then(Value::as_str) != Some("Point") {
                faults.push(Fault::new(
                    &at,
                    "几何图形须是 Point（点）",
                    "the geometry must be a Point",
                ));
                return None;
            }
            let position = geometry
                .get("coordinates")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let coordinate = |i: usize| position.get(i).and_then(Value::as_f64);
            let amenities = match props.get("amenities") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                Some(Value::String(s)) => split_amenities(s),
                _ => vec![],
            };
            let fields = Fields {
                id: text("id"),
                name: text("name"),
                address: text("address"),
                lat: coordinate(1),
                lon: coordinate(0),
                hours: text("hours"),
                amenities,
            };
            Some((at, fields))
        })
        .collect()
}

pub struct Stations;

impl Reference for Stations {
    type Item = Station;
    const KIND: Kind = Kind::Stations;
    const TABLE: (&'static str, &'static str) = ("stations", "id");

    fn key(item: &Station) -> &str {
        &item.id
    }

    fn parse(bytes: &[u8], name: &str) -> Result<Vec<Station>, Vec<Fault>> {
        let mut faults = Vec::new();
        let geojson = name.ends_with(".geojson")
            || name.ends_with(".json")
            || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        let rows = if geojson {
            from_geojson(bytes, &mut faults)
        } else {
            from_csv(bytes, &mut faults)
        };
        let duplicates =
            duplicate_keys(rows.iter().map(|(at, f)| (at.clone(), f.id.as_str())), "id");
        let items: Vec<(String, Station)> = rows
            .into_iter()
            .filter_map(|(at, fields)| check(&at, fields, &mut faults).map(|s| (at, s)))
            .collect();
        faults.extend(duplicates);
        if faults.is_empty() {
            Ok(items.into_iter().map(|(_, s)| s).collect())
        } else {
            Err(faults)
        }
    }

    async fn load(tx: &mut Tx) -> anyhow::Result<Vec<(Station, bool)>> {
        let stations = crate::server::reference::stations_of(&mut *tx).await?;
        // Compared as the file describes them: being demo data or retired is not in the file.
        Ok(stations
            .into_iter()
            .map(|s| {
                let retired = s.retired;
                (
                    Station {
                        demo: false,
                        retired: false,
                        ..s
                    },
                    retired,
                )
            })
            .collect())
    }

    async fn put(tx: &mut Tx, s: &Station, seq: i64) -> anyhow::Result<()> {
        let amenities: Vec<&str> = s.amenities.iter().map(|a| a.code()).collect();
        db::query(
            "INSERT INTO stations (id, name, address, lat, lon, hours, amenities, retired_at, change_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8)
             ON CONFLICT (id) DO UPDATE SET name = ?2, address = ?3, lat = ?4, lon = ?5, hours = ?6, amenities = ?7,
                 retired_at = NULL, change_seq = ?8, demo = FALSE",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(&s.address)
        .bind(s.lat)
        .bind(s.lon)
        .bind(&s.hours)
        .bind(serde_json::to_string(&amenities)?)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    fn write(items: &[Station]) -> anyhow::Result<Vec<u8>> {
        let rows = items
            .iter()
            .map(|s| {
                vec![
                    s.id.clone(),
                    s.name.clone(),
                    s.address.clone(),
                    s.lat.to_string(),
                    s.lon.to_string(),
                    s.hours.clone(),
                    s.amenities
                        .iter()
                        .map(|a| a.code())
                        .collect::<Vec<_>>()
                        .join(";"),
                ]
            })
            .collect();
        csv_file(&COLUMNS, rows)
    }
}
