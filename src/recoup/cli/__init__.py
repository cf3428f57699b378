"""The `recoup` command line (Typer + Rich). Every read command has --json."""
