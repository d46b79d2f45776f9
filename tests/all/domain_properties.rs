//! Property tests of every parser and validator in `src/domain/` (and the phone's message splitter): on any input
//! they return an answer and never panic, and what one side writes the other reads back unchanged.

use proptest::prelude::*;
use suishoupai::domain::change::{decode_cursor, encode_cursor};
use suishoupai::domain::photo::is_sha256_hex;
use suishoupai::domain::task::{outcome, ActionKind, Call, TaskAction, TaskState};
use suishoupai::domain::timestamp::{format_time, parse_time};
use suishoupai::domain::{
    enrollment_code, geo, pass, retry, GeoPoint, ReportStatus, ReportSubmission, Role, Station,
};
use suishoupai::i18n::{server_message, Lang};

/// Cases per property (each property below runs this many generated inputs).
const CASES: u32 = 2_000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn any_status() -> impl Strategy<Value = ReportStatus> {
    prop_oneof![
        Just(ReportStatus::Received),
        Just(ReportStatus::Accepted),
        Just(ReportStatus::InProgress),
        Just(ReportStatus::Resolved),
        Just(ReportStatus::Rejected),
    ]
}

fn any_kind() -> impl Strategy<Value = ActionKind> {
    prop::sample::select(ActionKind::ALL.to_vec())
}

/// Floats including the hostile ones: NaN, infinities, huge and tiny values.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -200.0..200.0f64,
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn cursors_round_trip_and_garbage_is_refused(
        seq in 0i64..1_000_000_000_000_000_000,
        digits in "[0-9]{1,18}",
        near_miss in prop_oneof!["c", "c[-+][0-9]{1,5}", "[0-9]{1,5}", "C[0-9]{1,5}", "c[0-9]{1,5}[ x.]", " c[0-9]{1,5}", "c[0-9]{19,25}"],
        text in ".{0,40}",
    ) {
        prop_assert_eq!(decode_cursor(&encode_cursor(seq)), Some(seq));
        // Every cursor the document's pattern allows is read as its number.
        prop_assert_eq!(decode_cursor(&format!("c{digits}")), Some(digits.parse::<i64>().unwrap()));
        prop_assert_eq!(decode_cursor(&near_miss), None, "{:?}", near_miss);
        if let Some(n) = decode_cursor(&text) {
            prop_assert!(n >= 0);
            prop_assert_eq!(encode_cursor(n).len() <= text.len(), true);
        }
    }

    #[test]
    fn times_round_trip_through_the_servers_format(secs in -62_000_000_000i64..250_000_000_000, ms in 0u16..1000) {
        let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap() + time::Duration::milliseconds(ms.into());
        let written = format_time(t);
        prop_assert_eq!(parse_time(&written), Some(t), "{}", written);
    }

    #[test]
    fn any_text_parses_as_a_time_or_not_without_panicking(
        text in "\\PC{0,40}",
        (y, mo, d, h, mi, s) in (0i32..10_000, 1u8..=12, 1u8..=28, 0u8..24, 0u8..60, 0u8..60),
        ms in prop::option::of(0u16..1000),
        zone in prop_oneof![Just("Z".to_owned()), (0u8..15, prop_oneof![Just('+'), Just('-')]).prop_map(|(h, sign)| format!("{sign}{h:02}:00"))],
        wrong in prop_oneof![Just("month 13"), Just("day 32"), Just("hour 24"), Just("minute 60"), Just("no zone"), Just("no T")],
    ) {
        let _ = parse_time(&text);
        let frac = ms.map(|ms| format!(".{ms:03}")).unwrap_or_default();
        let valid = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{zone}");
        let t = parse_time(&valid);
        prop_assert!(t.is_some(), "{}", valid);
        prop_assert_eq!(parse_time(&format_time(t.unwrap())), t);
        let near_miss = match wrong {
            "month 13" => format!("{y:04}-13-{d:02}T{h:02}:{mi:02}:{s:02}{zone}"),
            "day 32" => format!("{y:04}-{mo:02}-32T{h:02}:{mi:02}:{s:02}{zone}"),
            "hour 24" => format!("{y:04}-{mo:02}-{d:02}T24:{mi:02}:{s:02}{zone}"),
            "minute 60" => format!("{y:04}-{mo:02}-{d:02}T{h:02}:60:{s:02}{zone}"),
            "no zone" => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}"),
            _ => format!("{y:04}-{mo:02}-{d:02} {h:02}{mi:02}{s:02}{zone}"),
        };
        prop_assert_eq!(parse_time(&near_miss), None, "{}", near_miss);
    }

    #[test]
    fn sha256_hex_is_exactly_64_lowercase_hex(text in "\\PC{0,80}", hex in "[0-9a-f]{64}") {
        prop_assert!(is_sha256_hex(&hex));
        prop_assert_eq!(
            is_sha256_hex(&text),
            text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn enrollment_codes_survive_how_people_type_them(bytes in prop::collection::vec(any::<u8>(), 0..64), text in "\\PC{0,30}") {
        if let Some(code) = enrollment_code::from_random_bytes(&bytes) {
            prop_assert!(enrollment_code::is_well_formed(&code));
            prop_assert!(enrollment_code::checks(&code));
            let shown = enrollment_code::display(&code);
            prop_assert_eq!(enrollment_code::normalize(&shown), code.clone());
            prop_assert_eq!(enrollment_code::normalize(&shown.to_lowercase().replace('-', " - ")), code);
        }
        let normalized = enrollment_code::normalize(&text);
        let _ = enrollment_code::is_well_formed(&normalized);
        let _ = enrollment_code::display(&normalized);
    }

    #[test]
    fn passes_read_back_what_the_phone_shows(secret in prop::collection::vec(any::<u8>(), 20), now in 0i64..4_000_000_000, rider in "[0-9a-f-]{1,40}", text in "\\PC{0,60}") {
        let code = pass::code_at(&secret, now);
        prop_assert!(pass::verify(&secret, &code, now));
        let read = pass::read(&pass::qr_text(&rider, &code)).unwrap();
        prop_assert_eq!(read.rider_id.as_deref(), Some(rider.as_str()));
        prop_assert_eq!(&read.code, &code);
        prop_assert_eq!(pass::read(&pass::display(&code)).unwrap().code, code);
        // Anything at all: read, shown, verified, decoded — no panic.
        if let Some(read) = pass::read(&text) {
            prop_assert_eq!(read.code.len(), 8);
            let _ = pass::verify(&secret, &read.code, now);
        }
        let _ = pass::display(&text);
        let _ = pass::secret_bytes(&text);
    }

    /// From a valid submission, one field made wrong at a time: exactly that field is named.
    #[test]
    fn report_validation_names_exactly_the_field_that_is_wrong(
        which in 0usize..7, photo_count in 0usize..4, seconds_ago in 0i64..86_400,
        lat in -90.0f64..90.0, lon in -180.0f64..180.0, text in "[\\p{Han}a-z][\\p{Han}a-z ]{0,199}",
        bad_lat in prop_oneof![90.0001f64..1e9, -1e9f64..-90.0001], bad_lon in prop_oneof![180.0001f64..1e9, -1e9f64..-180.0001],
    ) {
        let now = time::OffsetDateTime::now_utc();
        let valid = ReportSubmission {
            category: "road_damage".into(), urgent: false, description: text.clone(), lat: Some(lat), lon: Some(lon),
            accuracy_m: Some(5.0), address: None,
            photos: (0..photo_count).map(|i| format!("{i:x}").repeat(64)[..64].to_owned()).collect(),
            captured_at: format_time(now - time::Duration::seconds(seconds_ago)),
        };
        prop_assert_eq!(valid.validate(now, |c| c == "road_damage"), Ok(()));
        let mut wrong = valid.clone();
        let field = match which {
            0 => { wrong.category = format!("{text}x"); "category" }
            1 => { wrong.lat = Some(bad_lat); "lat" }
            2 => { wrong.lon = Some(bad_lon); "lon" }
            3 => { wrong.photos = vec!["a".repeat(64); 4]; "photos" }
            4 => { wrong.description = "字".repeat(2001); "description" }
            5 => { wrong.captured_at = format_time(now + time::Duration::minutes(11)); "captured_at" }
            _ => { wrong.address = Some("址".repeat(501)); "address" }
        };
        let named: Vec<String> = wrong.validate(now, |c| c == "road_damage").unwrap_err().into_keys().collect();
        prop_assert_eq!(named, vec![field.to_owned()]);
    }

    #[test]
    fn report_validation_answers_any_submission(
        category in "\\PC{0,20}", description in "\\PC{0,50}", lat in prop::option::of(any_f64()),
        lon in prop::option::of(any_f64()), accuracy in prop::option::of(any_f64()),
        address in prop::option::of("\\PC{0,20}"), photos in prop::collection::vec("\\PC{0,70}", 0..6),
        captured_at in "\\PC{0,30}", urgent in any::<bool>(),
    ) {
        let report = ReportSubmission {
            category, urgent, description, lat, lon, accuracy_m: accuracy, address, photos, captured_at,
        };
        let now = time::OffsetDateTime::now_utc();
        match report.validate(now, |c| c == "road_damage") {
            Ok(()) => {
                prop_assert!(report.photos.len() <= 3);
                prop_assert!(report.photos.iter().all(|p| is_sha256_hex(p)));
                if let (Some(lat), Some(lon)) = (report.lat, report.lon) {
                    prop_assert!(GeoPoint::new(lat, lon).is_valid());
                }
            }
            Err(fields) => prop_assert!(!fields.is_empty()),
        }
        let _ = report.canonical();
    }

    #[test]
    fn task_outcomes_follow_the_table(status in any_status(), level in any::<u8>(), kind in any_kind(),
        call in prop::sample::select(vec![Call::None, Call::Waiting, Call::Acknowledged]),
        role in prop::sample::select(Role::ALL.to_vec()),
        note in prop::option::of("\\PC{0,10}"), reason in prop::option::of("\\PC{0,12}"),
        duplicate_of in prop::option::of("\\PC{0,10}"), department_id in prop::option::of("\\PC{0,10}"),
        deadline in prop::option::of(prop_oneof![Just("2026-12-08T10:00:00Z".to_owned()), "\\PC{0,10}"]),
        version in any::<i64>()) {
        let action = TaskAction {
            report_id: "r".into(), kind, note, photos: vec![], reason, duplicate_of, department_id, deadline,
            expected_version: version,
        };
        let before = TaskState { status, level, call };
        // An outcome exactly when the table allows the action and its fields meet the shared rules.
        let expected = suishoupai::domain::task::allowed(before, role, kind) && action.validate().is_empty();
        let result = outcome(before, role, &action);
        prop_assert_eq!(result.is_ok(), expected, "{:?}", result);
        if let Ok(after) = result {
            prop_assert!(after.level == level || (kind == ActionKind::Escalate && after.level == level + 1));
            prop_assert!(after.status == status || !matches!(kind,
                ActionKind::Note | ActionKind::Escalate | ActionKind::CallDepartment | ActionKind::Acknowledge
                | ActionKind::HandBack | ActionKind::Decide));
            // Only the department answers, only the grid's side and the district call, only the department hands back.
            prop_assert!(after.call == call || action.calls(before) || matches!(kind, ActionKind::Acknowledge | ActionKind::HandBack));
            prop_assert!(!matches!(kind, ActionKind::Acknowledge | ActionKind::HandBack) || role == Role::DepartmentStaff);
            prop_assert!(kind != ActionKind::Decide || role == Role::Admin);
        }
    }

    #[test]
    fn geometry_never_panics_and_compass_points_are_in_range(a in (any_f64(), any_f64()), b in (any_f64(), any_f64()), bearing in any_f64()) {
        let (p, q) = (GeoPoint::new(a.0, a.1), GeoPoint::new(b.0, b.1));
        let d = p.distance_m(&q);
        if p.is_valid() && q.is_valid() {
            prop_assert!((0.0..=20_040_000.0).contains(&d), "{}", d);
            let bearing = p.bearing_deg(&q);
            prop_assert!(bearing.is_nan() || (0.0..360.0).contains(&bearing));
        }
        prop_assert!(geo::compass_point(bearing) < 8);
    }

    #[test]
    fn station_hours_of_any_text_answer_or_decline(
        hours in "\\PC{0,20}", minute in 0u32..1440,
        (hh, mm, hh2, mm2) in (0u32..24, 0u32..60, 0u32..24, 0u32..60),
        near_miss in prop_oneof![
            (1u32..60).prop_map(|m| format!("24:{m:02}")),
            (25u32..100).prop_map(|h| format!("{h}:00")),
            (60u32..100).prop_map(|m| format!("08:{m}")),
            Just("8h00".to_owned()),
        ],
    ) {
        let mut station = Station {
            id: "s".into(), name: "驿站".into(), address: "".into(), lat: 30.0, lon: 104.0,
            hours, amenities: vec![], demo: false, retired: false,
        };
        let _ = station.is_open_at(minute);
        let _ = station.geo_uri();
        station.hours = format!("{hh:02}:{mm:02}-{hh2:02}:{mm2:02}");
        prop_assert!(station.is_open_at(minute).is_some(), "{}", station.hours);
        station.hours = format!("{hh:02}:{mm:02}-24:00");
        prop_assert!(station.is_open_at(minute).is_some(), "{}", station.hours);
        for hours in [format!("{near_miss}-{hh2:02}:{mm2:02}"), format!("{hh:02}:{mm:02}-{near_miss}")] {
            station.hours = hours;
            prop_assert_eq!(station.is_open_at(minute), None, "{}", station.hours);
        }
    }

    #[test]
    fn codes_of_roles_and_statuses_are_parsed_or_refused(
        text in "\\PC{0,20}",
        role in prop::sample::select(Role::ALL.to_vec()),
        status in any_status(),
        mangle in prop_oneof![Just("upper"), Just("space"), Just("hyphen"), Just("cut")],
    ) {
        if let Some(role) = Role::from_code(&text) { prop_assert_eq!(role.code(), text.as_str()); }
        if let Some(status) = ReportStatus::from_code(&text) { prop_assert_eq!(status.code(), text.as_str()); }
        let _ = Lang::from_tag(&text);
        prop_assert_eq!(Role::from_code(role.code()), Some(role));
        prop_assert_eq!(ReportStatus::from_code(status.code()), Some(status));
        let near = |code: &str| match mangle {
            "upper" => code.to_uppercase(),
            "space" => format!(" {code}"),
            "hyphen" => code.replace('_', "-") + "-",
            _ => code[..code.len() - 1].to_owned(),
        };
        prop_assert_eq!(Role::from_code(&near(role.code())), None);
        prop_assert_eq!(ReportStatus::from_code(&near(status.code())), None);
    }

    #[test]
    fn retry_rules_are_total(status in any::<u16>(), attempts in any::<u32>(), retry_after in prop::option::of(any::<u32>()), jitter in any_f64()) {
        let _ = retry::verdict(status);
        let wait = retry::backoff_ms(attempts, retry_after, jitter);
        prop_assert!(wait.is_finite() && wait >= 0.0, "{}", wait);
        if let Some(s) = retry_after { prop_assert!(wait >= s as f64 * 1000.0); }
    }

    /// Messages as the server writes them, `中文 (English)`, sometimes with the phone's details after them: each
    /// language gets its own part and the details; anything else is shown as it is.
    #[test]
    fn server_messages_split_for_either_language(zh in "[\\p{Han}，、]{1,20}", en in "[a-zA-Z ,']{1,30}",
        details in prop::option::of("[a-z_]{1,10}: [a-z ]{1,20}"), other in "\\PC{0,40}") {
        let message = format!("{zh} ({en})");
        prop_assert_eq!(server_message(&message, Lang::Zh), zh.clone());
        prop_assert_eq!(server_message(&message, Lang::En), en.clone());
        if let Some(d) = details {
            let with = format!("{message} ({d})");
            prop_assert_eq!(server_message(&with, Lang::Zh), format!("{zh} ({d})"));
            prop_assert_eq!(server_message(&with, Lang::En), format!("{en} ({d})"));
        }
        if !other.contains(" (") {
            prop_assert_eq!(server_message(&other, Lang::En), other.clone());
        }
    }
}
