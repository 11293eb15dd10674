"""`open-diplomacy lsp`: a language server for story files (pygls, stdio)."""
