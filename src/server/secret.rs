//! Random secrets and their hashes: tokens, enrollment codes and pass secrets.
use anyhow::Context;

use crate::domain::enrollment_code;
pub use crate::domain::photo::sha256_hex;

pub fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("system random source: {e}"))?;
    Ok(buf)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A device token: 256 random bits, hex.
pub fn new_token() -> anyhow::Result<String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// A rider's pass secret: 160 random bits (the size RFC 4226 recommends), hex.
pub fn new_pass_secret() -> anyhow::Result<String> {
    Ok(hex(&random_bytes::<20>()?))
}

/// A one-time enrollment code in canonical form.
pub fn new_enrollment_code() -> anyhow::Result<String> {
    // 64 bytes leave ample room for rejection sampling (each byte is kept with probability 248/256).
    enrollment_code::from_random_bytes(&random_bytes::<64>()?)
        .context("random bytes ran out for a code")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_of_hex_and_differ() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn enrollment_codes_are_well_formed() {
        for _ in 0..100 {
            assert!(enrollment_code::is_well_formed(
                &new_enrollment_code().unwrap()
            ));
        }
    }
}
