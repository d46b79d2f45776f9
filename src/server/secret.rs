//! Random secrets and their hashes: tokens, enrollment codes and pass secrets.
use crate::server::db::Db;
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

/// The server's secret for hashing enrollment codes, kept in `<database>.key` beside a SQLite database (a
/// PostgreSQL database's is named at start; every instance reads the same file), created 0600 on first use, not in
/// the database: a copied database alone does not let anyone search the code space offline. Read once per process.
pub fn code_key(db: &Db) -> anyhow::Result<[u8; 32]> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static KEYS: OnceLock<Mutex<HashMap<std::path::PathBuf, [u8; 32]>>> = OnceLock::new();
    let file = db.key_file();
    let mut keys = KEYS
        .get_or_init(Default::default)
        .lock()
        .map_err(|_| anyhow::anyhow!("code key cache poisoned"))?;
    if let Some(key) = keys.get(&file) {
        return Ok(*key);
    }
    if !file.exists() {
        let fresh = hex(&random_bytes::<32>()?);
        // Written whole to a private temporary name first: two processes starting at once agree on one key.
        let tmp = file.with_extension(format!("key.{}", std::process::id()));
        super::db::write_private(&tmp, &fresh)?;
        if std::fs::hard_link(&tmp, &file).is_err() && !file.exists() {
            anyhow::bail!("cannot create {}", file.display());
        }
        let _ = std::fs::remove_file(&tmp);
    }
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let bytes = crate::domain::pass::secret_bytes(text.trim())
        .filter(|b| b.len() == 32)
        .with_context(|| format!("{} is not a 256-bit hex key", file.display()))?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes);
    keys.insert(file, key);
    Ok(key)
}

/// The key file beside a database: `<database>.key`.
pub fn key_file(db_path: &std::path::Path) -> std::path::PathBuf {
    let mut file = db_path.as_os_str().to_owned();
    file.push(".key");
    std::path::PathBuf::from(file)
}

/// An enrollment code as stored: HMAC-SHA256 under the database's code key, hex.
pub fn code_hash(key: &[u8; 32], code: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(code.as_bytes());
    hex(&mac.finalize().into_bytes())
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
