"""A seeded generator of realistic demo books (pure: returns records, writes nothing)."""
