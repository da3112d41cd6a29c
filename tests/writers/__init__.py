"""Writers of realistic export files for tests (layouts and quirks as banks and registries write them)."""
