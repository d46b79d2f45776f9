-- Phone numbers are kept sealed (see server/phones.rs); whether a number is taken is told by its keyed hash.
ALTER TABLE users ADD COLUMN phone_lookup TEXT;
CREATE INDEX users_by_phone_lookup ON users (phone_lookup) WHERE phone_lookup IS NOT NULL;
