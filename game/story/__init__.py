"""The story compiler: YAML with positions, schema, expressions, lint."""
