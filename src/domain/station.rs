//! 暖心驿站 rest stations: where they are, when they open, what they offer.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// What a station offers a rider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
