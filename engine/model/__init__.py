"""The report model and the national formats: what a report is, independent of how it is read or judged."""
