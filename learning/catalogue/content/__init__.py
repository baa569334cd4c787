"""The catalogue as versioned content files: parse and validate, load (upsert), export."""
