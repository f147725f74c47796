"""Files sellers hand us: CSV and XLSX read into raw tables for the imports domain."""

from saudager.adapters.files.readers import TabularFileReader, read_csv, read_xlsx

__all__ = ["TabularFileReader", "read_csv", "read_xlsx"]
