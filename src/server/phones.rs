//! Phone numbers at rest: only admins need them (to call a rider), so the database keeps them sealed — AES-256-GCM
//! under a key derived from the database's key file (`<database>.key`, beside it, not in it) — and, to tell whether
//! a number is taken, a keyed hash of it. A copied database file alone reveals no phone number; with its key file it
//! does (a backup archive carries both, so that it restores).
use crate::server::db::{self, Db};
use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use anyhow::Context;
use hmac::{Hmac, Mac};

use super::secret::{code_key, hex, random_bytes};

const SEALED: &str = "v1:";

/// The keys phone numbers are sealed and looked up with.
pub struct PhoneLock {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

fn derive(key: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl PhoneLock {
    /// The lock of the database behind `db` (its key file is made on first use).
    pub fn of(db: &Db) -> anyhow::Result<PhoneLock> {
        Ok(PhoneLock::with_key(&code_key(db)?))
    }

    pub fn with_key(key: &[u8; 32]) -> PhoneLock {
        PhoneLock {
            cipher: Aes256Gcm::new(&derive(key, "suishoupai phone cipher").into()),
            lookup_key: derive(key, "suishoupai phone lookup"),
        }
    }

    /// `v1:<nonce>:<ciphertext>`, hex.
    pub fn seal(&self, phone: &str) -> anyhow::Result<String> {
        let nonce = random_bytes::<12>()?;
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), phone.as_bytes())
            .map_err(|_| anyhow::anyhow!("sealing a phone number"))?;
        Ok(format!("{SEALED}{}:{}", hex(&nonce), hex(&sealed)))
    }

    /// The number a sealed value holds (a value from before sealing is the number itself).
    pub fn open(&self, stored: &str) -> anyhow::Result<String> {
        let Some(rest) = stored.strip_prefix(SEALED) else {
            return Ok(stored.to_owned());
        };
        let (nonce, sealed) = rest.split_once(':').context("a sealed phone number")?;
        let bytes = |h: &str| crate::domain::pass::secret_bytes(h).context("a sealed phone number");
        let nonce = bytes(nonce)?;
        anyhow::ensure!(nonce.len() == 12, "a sealed phone number");
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(&nonce), bytes(sealed)?.as_slice())
            .map_err(|_| anyhow::anyhow!("a phone number sealed with another key"))?;
        Ok(String::from_utf8(plain)?)
    }

    /// What tells whether a number is taken, without the number.
    pub fn lookup(&self, phone: &str) -> String {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC takes any key length");
        mac.update(phone.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// Seals the phone numbers stored before sealing came (once; at every start, a no-op after).
pub async fn seal_stored(db: &Db) -> anyhow::Result<u64> {
    let plain: Vec<(String, String)> = db::query_as(
        "SELECT id, phone FROM users WHERE phone IS NOT NULL AND phone NOT LIKE 'v1:%'",
    )
    .fetch_all(db)
    .await?;
    if plain.is_empty() {
        return Ok(0);
    }
    let lock = PhoneLock::of(db)?;
    let mut tx = db.begin().await?;
    for (id, phone) in &plain {
        db::query("UPDATE users SET phone = ?, phone_lookup = ? WHERE id = ?")
            .bind(lock.seal(phone)?)
            .bind(lock.lookup(phone))
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(plain.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_numbers_open_with_their_key_only() {
        let lock = PhoneLock::with_key(&[7; 32]);
        let sealed = lock.seal("13800000001").unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains("13800000001"));
        assert_ne!(
            sealed,
            lock.seal("13800000001").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(lock.open(&sealed).unwrap(), "13800000001");
        assert!(PhoneLock::with_key(&[8; 32]).open(&sealed).is_err());
        assert_eq!(
            lock.open("13800000001").unwrap(),
            "13800000001",
            "stored before sealing"
        );
        assert_eq!(lock.lookup("13800000001"), lock.lookup("13800000001"));
        assert_ne!(lock.lookup("13800000001"), lock.lookup("13800000002"));
    }
}
