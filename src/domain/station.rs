//! 暖心驿站 rest stations: where they are, when they open, what they offer.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Station {
    pub id: String,
    pub name: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// Opening hours as `HH:MM-HH:MM` (local time); `00:00-24:00` is open day and night.
    pub hours: String,
    pub amenities: Vec<Amenity>,
    /// Seeded demo data rather than a real station.
    #[serde(default)]
    pub demo: bool,
    /// No longer in the district's station file: kept for its check-ins, not offered to riders.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

impl Station {
    /// Whether the station is open at `minute` of the local day (0–1439); `None` when the hours are unreadable.
    pub fn is_open_at(&self, minute: u32) -> Option<bool> {
        let (open, close) = self.hours.split_once('-')?;
        let parse = |t: &str| -> Option<u32> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            // 24:00 is the end of the day; no later time of it.
            (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
        };
        let (open, close) = (parse(open)?, parse(close)?);
        Some(if open <= close {
            (open..close).contains(&minute)
        } else {
            // Past midnight, e.g. 20:00-02:00.
            minute >= open || minute < close
        })
    }

    /// A `geo:` URI that opens the phone's map app at the station.
    pub fn geo_uri(&self) -> String {
        super::geo::geo_uri(self.lat, self.lon)
    }
}

/// What a station offers a rider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum Amenity {
    Charging,
    Water,
    Microwave,
    RestArea,
    Toilet,
    FirstAid,
}

impl Amenity {
    pub const ALL: [Amenity; 6] = [
        Amenity::Charging,
        Amenity::Water,
        Amenity::Microwave,
        Amenity::RestArea,
        Amenity::Toilet,
        Amenity::FirstAid,
    ];

    /// The stable code used on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Amenity::Charging => "charging",
            Amenity::Water => "water",
            Amenity::Microwave => "microwave",
            Amenity::RestArea => "rest_area",
            Amenity::Toilet => "toilet",
            Amenity::FirstAid => "first_aid",
        }
    }

    pub fn from_code(code: &str) -> Option<Amenity> {
        Amenity::ALL.into_iter().find(|a| a.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn station(hours: &str) -> Station {
        Station {
            id: "s".into(),
            name: "s".into(),
            address: "a".into(),
            lat: 30.88,
            lon: 104.25,
            hours: hours.into(),
            amenities: vec![],
            ..Station::default()
        }
    }

    #[test]
    fn opening_hours_decide_open_now() {
        let s = station("08:00-20:00");
        assert_eq!(s.is_open_at(7 * 60 + 59), Some(false));
        assert_eq!(s.is_open_at(8 * 60), Some(true));
        assert_eq!(s.is_open_at(19 * 60 + 59), Some(true));
        assert_eq!(s.is_open_at(20 * 60), Some(false));
        assert_eq!(station("00:00-24:00").is_open_at(3), Some(true));
        assert_eq!(station("20:00-02:00").is_open_at(60), Some(true));
        assert_eq!(station("20:00-02:00").is_open_at(12 * 60), Some(false));
        assert_eq!(station("whenever").is_open_at(0), None);
        assert_eq!(s.geo_uri(), "geo:30.88,104.25?q=30.88,104.25");
    }

    #[test]
    fn amenity_codes_match_their_serde_names() {
        for a in Amenity::ALL {
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::json!(a.code())
            );
            assert_eq!(Amenity::from_code(a.code()), Some(a));
        }
        assert_eq!(Amenity::from_code("sauna"), None);
    }
}
