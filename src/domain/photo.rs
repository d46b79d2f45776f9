//! Photos as the phone prepares them: the size they are scaled to, their content address, their cost in bytes.
use sha2::{Digest, Sha256};

/// The longest side of a photo after downscaling on the phone.
pub const MAX_EDGE_PX: u32 = 1600;
/// JPEG quality of the re-encoded photo (0–1).
pub const JPEG_QUALITY: f64 = 0.7;

/// The size that fits `(width, height)` within `max_edge` on its long side, keeping the aspect ratio;
/// never scales up.
pub fn fit_within(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max_edge || long == 0 {
        return (width, height);
    }
    let scale = max_edge as f64 / long as f64;
    let w = ((width as f64 * scale).round() as u32).max(1);
    let h = ((height as f64 * scale).round() as u32).max(1);
    (w, h)
}

/// The lowercase hex SHA-256 of `data`: a photo's name on the server.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Kilobytes (rounded up) as the interface shows a cost to send.
pub fn kilobytes(bytes: u64) -> u64 {
    bytes.div_ceil(1024)
}

/// What [`is_sha256_hex`] accepts, as the OpenAPI document says it.
pub const SHA256_PATTERN: &str = "^[0-9a-f]{64}$";

/// The schema of a list of at most `max` photos named by their SHA-256 (a report's, an action's): the document
/// says what the server checks, so a client built from it sends nothing the server refuses.
#[cfg(not(target_arch = "wasm32"))]
pub fn photo_list_schema(max: usize) -> utoipa::openapi::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(SHA256_PATTERN)),
        )
        .max_items(Some(max))
        .unique_items(true)
        .description(Some(
            "SHA-256s (lowercase hex) of photos uploaded before with `PUT /photos/{sha256}`",
        ))
        .build()
}

/// Whether `s` is a lowercase hex SHA-256.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_12_megapixel_photo_fits_1600_on_its_long_side() {
        assert_eq!(fit_within(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit_within(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit_within(4032, 1908, 1600), (1600, 757));
    }

    #[test]
    fn small_photos_are_never_scaled_up() {
        assert_eq!(fit_within(800, 600, 1600), (800, 600));
        assert_eq!(fit_within(1600, 1600, 1600), (1600, 1600));
        assert_eq!(fit_within(0, 0, 1600), (0, 0));
    }

    #[test]
    fn hashes_and_kilobytes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(kilobytes(0), 0);
        assert_eq!(kilobytes(1), 1);
        assert_eq!(kilobytes(2048), 2);
        assert_eq!(kilobytes(2049), 3);
    }
}
