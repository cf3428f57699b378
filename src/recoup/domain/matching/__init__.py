"""Matching bank statement lines to open invoices, with evidence (see docs.md).

Import the parts from their modules: `rules` (the policy's `[matching]` values),
`references`, `book` (the open invoices indexed), `evidence` and `matcher`. This
package file imports nothing, so reading a policy does not load the matcher."""
