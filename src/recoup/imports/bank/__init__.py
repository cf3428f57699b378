"""Bank statements read from their files: ISO 20022 camt.052/053/054, SWIFT MT940,
OFX/QFX and bank CSV exports, detected by content (`read.read_bank_file`), each into
the same `model.Statement` and `model.StatementLine`."""
