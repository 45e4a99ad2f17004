"""Study records: YAML/CSV loading, validation and the record model."""
