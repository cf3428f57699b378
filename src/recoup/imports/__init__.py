"""Readers for accounting exports: CSV and XLSX customers, invoices and payments."""
