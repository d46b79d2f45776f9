-- A report that makes its place a recurring hotspot (重大顽疾): with it, three or more reports of its category
-- within 50 m in the 30 days up to its receipt, resolved or not. Decided once, when it is received.
ALTER TABLE reports ADD COLUMN hotspot INTEGER NOT NULL DEFAULT 0;
